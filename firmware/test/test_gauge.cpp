#include <Arduino.h>
#include <SwitecX25.h>
#include <doctest/doctest.h>

#include "gauge.h"

TEST_CASE("gauge mapping: 0..1000 onto 0..944 steps, clamped") {
  CHECK(GAUGE_STEPS == 945);
  CHECK(gauge_step_for(0) == 0);
  CHECK(gauge_step_for(500) == 472);
  CHECK(gauge_step_for(1000) == 944);
  CHECK(gauge_step_for(1) == 1);    // 0.944 rounds up: the needle leaves the peg
  CHECK(gauge_step_for(999) == 943);
  CHECK(gauge_step_for(-1) == 0);
  CHECK(gauge_step_for(-100000) == 0);
  CHECK(gauge_step_for(1001) == 944);
  CHECK(gauge_step_for(2147483647) == 944);
  for (int32_t p = 1; p <= 1000; ++p) CHECK(gauge_step_for(p) >= gauge_step_for(p - 1));
}

TEST_CASE("gauge: hardware is only touched in begin()") {
  stub::reset();
  const uint8_t pins[4] = {32, 33, 25, 26};
  Gauge g(pins);
  CHECK(stub::pin_mode[32] == 0);
  CHECK(stub::digital_writes == 0);
  g.setPosition(500);  // before begin(): ignored, no crash
  g.update();
  CHECK(g.step() == 0);

  g.begin();
  for (uint8_t p : pins) CHECK(stub::pin_mode[p] == OUTPUT);
  CHECK(stub::digital_writes > 0);  // zero() drove the needle against its stop
  CHECK(g.step() == 0);
  CHECK_FALSE(g.moving());
}

TEST_CASE("gauge: follows its target one step per update") {
  stub::reset();
  const uint8_t pins[4] = {23, 22, 21, 19};
  Gauge g(pins);
  g.begin();
  g.setPosition(500);
  CHECK(g.moving());
  g.update();
  CHECK(g.step() == 1);
  int calls = 1;
  while (g.moving() && calls < 5000) {
    g.update();
    ++calls;
  }
  CHECK(g.step() == 472);
  g.setPosition(5000);  // clamped
  while (g.moving()) g.update();
  CHECK(g.step() == 944);
  g.setPosition(-20);
  while (g.moving()) g.update();
  CHECK(g.step() == 0);
}

TEST_CASE("gauge: boot sweep reaches full scale on every needle and returns to zero") {
  stub::reset();
  stub::switec_highest_step = 0;
  const uint8_t a[4] = {32, 33, 25, 26};
  const uint8_t b[4] = {23, 22, 21, 19};
  const uint8_t c[4] = {18, 17, 16, 4};
  Gauge g1(a), g2(b), g3(c);
  Gauge* const all[] = {&g1, &g2, &g3};
  for (Gauge* g : all) g->begin();
  gauge_sweep(all, 3);
  CHECK(stub::switec_highest_step == 944);
  for (Gauge* g : all) {
    CHECK(g->step() == 0);
    CHECK_FALSE(g->moving());
  }
}
