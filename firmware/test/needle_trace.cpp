// The firmware's needle path on the host, for test/needle-differential.test.ts: the real gauge.cpp
// (or the bare library) on the real SwitecX25, clocked by the host's simulated micros().
//
//   needle-trace gauge|library TICK_US UNTIL_US < events
//
// events: one "T_US POSITION" per line (contract units 0..1000, times ascending). The loop runs
// every TICK_US from 0 to UNTIL_US as main.cpp's loop() does: the needle updates first, then any
// target due at that moment is set. Output: "T_US STEP" for every step, then "end STEP stopped|moving".
// "library" drives an unmodified SwitecX25 with its default table; "gauge" drives Gauge.
#include <Arduino.h>
#include <SwitecX25.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "gauge.h"

namespace {

struct Event {
  unsigned long long at_us;
  long pos;
};

int usage() {
  fprintf(stderr, "usage: needle-trace gauge|library TICK_US UNTIL_US < events\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return usage();
  const bool library = strcmp(argv[1], "library") == 0;
  if (!library && strcmp(argv[1], "gauge") != 0) return usage();
  const unsigned long long tick = strtoull(argv[2], nullptr, 10);
  const unsigned long long until = strtoull(argv[3], nullptr, 10);
  if (tick == 0) return usage();

  std::vector<Event> events;
  Event e;
  while (scanf("%llu %ld", &e.at_us, &e.pos) == 2) events.push_back(e);

  host::reset();
  static const uint8_t pins[4] = {32, 33, 25, 26};
  SwitecX25 motor(GAUGE_STEPS, pins[0], pins[1], pins[2], pins[3]);
  Gauge gauge(pins);
  if (!library) gauge.begin();  // zeroes against the stop on the simulated clock
  host::set_micros(0);

  size_t next = 0;
  unsigned last = 0;
  for (unsigned long long t = 0; t <= until; t += tick) {
    host::set_micros(t);
    if (library) motor.update();
    else gauge.update();
    const unsigned step = library ? motor.currentStep : gauge.step();
    if (step != last) printf("%llu %u\n", t, step);
    last = step;
    for (; next < events.size() && events[next].at_us <= t; ++next) {
      if (library) motor.setPosition(gauge_step_for(static_cast<int32_t>(events[next].pos)));
      else gauge.setPosition(static_cast<int32_t>(events[next].pos));
    }
  }
  const bool moving = library ? !motor.stopped : gauge.moving();
  printf("end %u %s\n", last, moving ? "moving" : "stopped");
  return 0;
}
