// The gauge on the real SwitecX25 (unmodified), its clock simulated by the host's Arduino.h: every
// step happens when the library's own micros() arithmetic says so.
#include <Arduino.h>
#include <SwitecX25.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "gauge.h"

namespace {

/** One loop turn every this many µs; every delay in both tables is a multiple, so steps land on time. */
constexpr uint64_t kTickUs = 100;

/** A motor as the firmware drives it: through Gauge, or straight through the library. */
struct Needle {
  virtual ~Needle() = default;
  virtual void target(unsigned step) = 0;
  virtual void update() = 0;
  virtual unsigned step() const = 0;
  virtual bool moving() const = 0;
};

struct LibraryNeedle : Needle {
  SwitecX25 m{GAUGE_STEPS, 32, 33, 25, 26};
  void target(unsigned step) override { m.setPosition(step); }
  void update() override { m.update(); }
  unsigned step() const override { return m.currentStep; }
  bool moving() const override { return !m.stopped; }
};

// Retargets only once the needle rests (the other rule the issue suggests), on the library's table.
struct RetargetWhenStopped : LibraryNeedle {
  bool pending = false;
  unsigned wanted = 0;
  void target(unsigned step) override {
    wanted = step;
    pending = true;
    flush();
  }
  void update() override {
    LibraryNeedle::update();
    flush();
  }
  bool moving() const override { return pending || LibraryNeedle::moving(); }
  void flush() {
    if (pending && m.stopped) {
      m.setPosition(wanted);
      pending = false;
    }
  }
};

// Brakes hard on a reversal (drops vel to 1, a public field), keeping the library's gentle table
// for everything else: the third option measured, and not taken.
struct BrakeOnReversal : LibraryNeedle {
  void target(unsigned step) override {
    const bool behind = (m.dir > 0 && step < m.currentStep) || (m.dir < 0 && step > m.currentStep);
    LibraryNeedle::target(step);
    if (behind && m.vel > 1) m.vel = 1;
  }
};

struct GaugeNeedle : Needle {
  static constexpr uint8_t kPins[4] = {32, 33, 25, 26};
  Gauge g{kPins};
  GaugeNeedle() { g.begin(); }
  // Gauge takes contract positions; the inverse of its mapping gives the wanted step exactly.
  void target(unsigned step) override { g.setPosition(static_cast<int32_t>((step * 1000 + 471) / 944)); }
  void update() override { g.update(); }
  unsigned step() const override { return g.step(); }
  bool moving() const override { return g.moving(); }
};

struct Reversal {
  unsigned highest;
  unsigned settled;
  double settle_ms;
};

/** Full speed toward the top, then at step 600 the target drops to step 94 (position 100). */
Reversal reverse_at_600(Needle& n) {
  n.target(944);
  while (n.step() < 600) {
    n.update();
    host::advance_micros(kTickUs);
  }
  const uint64_t t0 = host::now_micros();
  n.target(gauge_step_for(100));
  unsigned highest = n.step();
  while (n.moving()) {
    n.update();
    highest = std::max(highest, n.step());
    host::advance_micros(kTickUs);
  }
  return {highest, n.step(), (host::now_micros() - t0) / 1000.0};
}

/** Time of a sweep from rest at 0 to rest at 944 (ms). */
double sweep_ms(Needle& n) {
  const uint64_t t0 = host::now_micros();
  n.target(944);
  while (n.moving()) {
    n.update();
    host::advance_micros(kTickUs);
  }
  CHECK(n.step() == 944);
  return (host::now_micros() - t0) / 1000.0;
}

}  // namespace

TEST_CASE("gauge mapping: 0..1000 onto 0..944 steps, clamped") {
  CHECK(GAUGE_STEPS == 945);
  CHECK(gauge_step_for(0) == 0);
  CHECK(gauge_step_for(500) == 472);
  CHECK(gauge_step_for(1000) == 944);
  CHECK(gauge_step_for(1) == 1);  // 0.944 rounds up: the needle leaves the peg
  CHECK(gauge_step_for(999) == 943);
  CHECK(gauge_step_for(-1) == 0);
  CHECK(gauge_step_for(-100000) == 0);
  CHECK(gauge_step_for(1001) == 944);
  CHECK(gauge_step_for(2147483647) == 944);
  for (int32_t p = 1; p <= 1000; ++p) CHECK(gauge_step_for(p) >= gauge_step_for(p - 1));
  for (unsigned s = 0; s <= 944; ++s) CHECK(gauge_step_for(static_cast<int32_t>((s * 1000 + 471) / 944)) == s);
}

TEST_CASE("gauge: hardware is only touched in begin(), which zeroes against the stop") {
  host::reset();
  const uint8_t pins[4] = {32, 33, 25, 26};
  Gauge g(pins);
  CHECK(host::pin_mode[32] == 0);
  CHECK(host::digital_writes == 0);
  g.setPosition(500);  // before begin(): ignored, no crash
  g.update();
  CHECK(g.step() == 0);

  g.begin();
  for (uint8_t p : pins) CHECK(host::pin_mode[p] == OUTPUT);
  // zero(): 944 steps down (the 945th finds the counter at 0) of 4 coil writes, 800 µs each.
  CHECK(host::digital_writes == 944 * 4);
  CHECK(host::now_micros() == 945 * 800);
  CHECK(g.step() == 0);
  CHECK_FALSE(g.moving());
}

TEST_CASE("gauge: moves on the library's clock and rests on its target") {
  host::reset();
  GaugeNeedle n;
  host::set_micros(0);
  n.g.setPosition(500);
  n.update();
  CHECK(n.step() == 1);  // from rest the first step is due at once
  n.update();
  CHECK(n.step() == 1);  // the next waits for the table, however often update() runs
  host::advance_micros(1499);
  n.update();
  CHECK(n.step() == 1);
  host::advance_micros(1);
  n.update();
  CHECK(n.step() == 2);
  while (n.moving()) {
    n.update();
    host::advance_micros(kTickUs);
  }
  CHECK(n.step() == 472);
  n.g.setPosition(5000);  // clamped
  while (n.moving()) {
    n.update();
    host::advance_micros(kTickUs);
  }
  CHECK(n.step() == 944);
  n.g.setPosition(-20);
  while (n.moving()) {
    n.update();
    host::advance_micros(kTickUs);
  }
  CHECK(n.step() == 0);
}

TEST_CASE("the unmodified library overshoots a reversal at full speed by 300 steps") {
  host::reset();
  LibraryNeedle lib;
  const Reversal r = reverse_at_600(lib);
  // Its braking takes one step per unit of vel, and vel is 300 at full speed.
  CHECK(r.highest == 900);
  CHECK(r.settled == 94);
  MESSAGE("library table: target 94 set at step 600 at full speed; needle reached ", r.highest, ", rested at ",
          r.settled, " after ", r.settle_ms, " ms");
}

TEST_CASE("the overshoot rules, measured on the real library (docs/hardware.md, Needle motion)") {
  host::reset();
  RetargetWhenStopped waits;
  const Reversal w = reverse_at_600(waits);
  // Waiting for rest lets the needle finish the old move to the top before it turns.
  CHECK(w.highest == 944);
  CHECK(w.settled == 94);

  host::reset();
  BrakeOnReversal brakes;
  const Reversal b = reverse_at_600(brakes);
  CHECK(b.highest == 601);
  CHECK(b.settled == 94);

  host::reset();
  GaugeNeedle ours;
  host::set_micros(0);
  const Reversal g = reverse_at_600(ours);
  CHECK(g.highest == 605);
  CHECK(g.settled == 94);
  CHECK(g.settle_ms < 350);

  host::reset();
  LibraryNeedle lib;
  const double lib_sweep = sweep_ms(lib);
  host::reset();
  GaugeNeedle fast;
  const double our_sweep = sweep_ms(fast);
  CHECK(our_sweep < lib_sweep);
  MESSAGE("retarget when stopped: reached ", w.highest, " (", w.highest - 600, " past the turn), rested after ",
          w.settle_ms, " ms");
  MESSAGE("hard brake on reversal: reached ", b.highest, " (", b.highest - 600, " past the turn), rested after ", b.settle_ms,
          " ms, but the step rate falls from 1 per 600 us to 1 per 3000 us in one step");
  MESSAGE("gauge table: reached ", g.highest, " (", g.highest - 600, " past the turn), rested after ", g.settle_ms,
          " ms");
  MESSAGE("full sweep 0 -> 944: library table ", lib_sweep, " ms, gauge table ", our_sweep, " ms");
}

TEST_CASE("gauge: whatever the targets, a needle never runs more than 5 steps past where it must turn") {
  std::mt19937 rng(11);
  for (int run = 0; run < 150; ++run) {
    host::reset();
    GaugeNeedle n;
    host::set_micros(0);
    unsigned target = 0;
    unsigned lo = 0, hi = 0;  // the span a needle may cover: from where it was to its target
    for (int move = 0; move < 8; ++move) {
      target = std::uniform_int_distribution<unsigned>(0, 944)(rng);
      n.target(target);
      target = gauge_step_for(static_cast<int32_t>((target * 1000 + 471) / 944));
      lo = std::min(n.step(), target);
      hi = std::max(n.step(), target);
      // Often mid-flight at full speed, sometimes after rest.
      const uint64_t hold = std::uniform_int_distribution<uint64_t>(1, 400)(rng) * 1000;
      unsigned low = n.step(), high = n.step();
      for (uint64_t t = 0; t < hold; t += kTickUs) {
        n.update();
        low = std::min(low, n.step());
        high = std::max(high, n.step());
        host::advance_micros(kTickUs);
      }
      INFO("run ", run, " move ", move, " from span ", lo, "..", hi);
      REQUIRE(low + 5 >= lo);
      REQUIRE(high <= hi + 5);
    }
    while (n.moving()) {
      n.update();
      host::advance_micros(kTickUs);
    }
    CHECK(n.step() == target);
  }
}

TEST_CASE("boot sweep: every needle to full scale and back to zero, without blocking the loop") {
  host::reset();
  const uint8_t a[4] = {32, 33, 25, 26};
  const uint8_t b[4] = {23, 22, 21, 19};
  const uint8_t c[4] = {18, 17, 16, 4};
  Gauge g1(a), g2(b), g3(c);
  Gauge* const all[] = {&g1, &g2, &g3};
  for (Gauge* g : all) g->begin();
  BootSweep sweep(all, 3);
  sweep.start();
  unsigned highest[3] = {0, 0, 0};
  int turns = 0;
  for (;;) {
    for (Gauge* g : all) g->update();
    for (int i = 0; i < 3; ++i) highest[i] = std::max(highest[i], all[i]->step());
    if (!sweep.running()) break;
    host::advance_micros(kTickUs);
    ++turns;
  }
  for (int i = 0; i < 3; ++i) {
    CHECK(highest[i] == 944);
    CHECK(all[i]->step() == 0);
    CHECK_FALSE(all[i]->moving());
  }
  CHECK(turns * kTickUs < 1500 * 1000);  // up and down in well under 1.5 s
  CHECK_FALSE(sweep.running());           // and it stays done
}
