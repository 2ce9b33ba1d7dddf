#include <Arduino.h>
#include <doctest/doctest.h>

#include "annunciator.h"
#include "cluster.h"

namespace {

LampInputs lamps(bool hot, bool warn, bool stall, bool idle, bool limit = false,
                 UsageLastModel m = UsageLastModel::NONE) {
  LampInputs in;
  in.model = m;
  in.hot = hot;
  in.warn = warn;
  in.stall = stall;
  in.idle = idle;
  in.limit_hit = limit;
  return in;
}

UsageContract snapshot(int32_t fuel5h, int32_t tach, int32_t fuel7d) {
  UsageContract s{};
  s.v = USAGE_CONTRACT_VERSION;
  s.fuel_5h_pos = fuel5h;
  s.tach_pos = tach;
  s.fuel_7d_pos = fuel7d;
  s.last_model = UsageLastModel::SONNET;
  s.idle = true;
  s.source_ok = true;
  return s;
}

}  // namespace

TEST_CASE("HOT flashes at 2 Hz, lit from the moment it turns on") {
  Annunciator a;
  const uint32_t t0 = 12345;
  CHECK(a.levels(lamps(false, false, false, false), false, t0 - 1).level[LAMP_HOT] == 0);
  CHECK(a.levels(lamps(true, false, false, false), false, t0).level[LAMP_HOT] == LAMP_FULL);
  CHECK(a.levels(lamps(true, false, false, false), false, t0 + 249).level[LAMP_HOT] == LAMP_FULL);
  CHECK(a.levels(lamps(true, false, false, false), false, t0 + 250).level[LAMP_HOT] == 0);
  CHECK(a.levels(lamps(true, false, false, false), false, t0 + 499).level[LAMP_HOT] == 0);
  CHECK(a.levels(lamps(true, false, false, false), false, t0 + 500).level[LAMP_HOT] == LAMP_FULL);

  int rising = 0;
  bool was = true;
  for (uint32_t t = t0; t < t0 + 10000; t += 10) {
    const bool on = a.levels(lamps(true, false, false, false), false, t).level[LAMP_HOT] == LAMP_FULL;
    if (on && !was) ++rising;
    was = on;
  }
  CHECK(rising == 19);  // 20 flashes in 10 s, the first already lit at t0
}

TEST_CASE("IDLE breathes: dark, full at half period, dark again") {
  Annunciator a;
  const uint32_t t0 = 1000;
  auto idle = [&](uint32_t t) { return a.levels(lamps(false, false, false, true), false, t).level[LAMP_IDLE]; };
  CHECK(idle(t0) == 0);
  CHECK(idle(t0 + 1000) == 63);  // half way up the ramp, squared: (127 * 127) / 255
  CHECK(idle(t0 + 2000) == LAMP_FULL);
  CHECK(idle(t0 + 3000) == 63);
  CHECK(idle(t0 + 4000) == 0);
  uint8_t prev = 0;
  for (uint32_t t = t0; t <= t0 + 2000; t += 50) {
    const uint8_t v = idle(t);
    CHECK(v >= prev);
    prev = v;
  }
  // Turning IDLE off and on again restarts from dark.
  a.levels(lamps(false, false, false, false), false, t0 + 5000);
  CHECK(idle(t0 + 7000) == 0);
}

TEST_CASE("steady lamps and the model lamp") {
  Annunciator a;
  LampLevels l = a.levels(lamps(false, true, true, false, false, UsageLastModel::OPUS), false, 0);
  CHECK(l.level[LAMP_WARN] == LAMP_FULL);
  CHECK(l.level[LAMP_STALL] == LAMP_FULL);
  CHECK(l.level[LAMP_OPUS] == LAMP_FULL);
  CHECK(l.level[LAMP_SONNET] == 0);
  CHECK(l.level[LAMP_HAIKU] == 0);
  for (uint32_t t = 0; t < 3000; t += 77) {
    l = a.levels(lamps(false, true, true, false, false, UsageLastModel::OPUS), false, t);
    CHECK(l.level[LAMP_WARN] == LAMP_FULL);
    CHECK(l.level[LAMP_STALL] == LAMP_FULL);
  }
  l = a.levels(lamps(false, false, false, false, false, UsageLastModel::HAIKU), false, 0);
  CHECK(l.level[LAMP_HAIKU] == LAMP_FULL);
  CHECK(l.level[LAMP_OPUS] == 0);
  l = a.levels(lamps(false, false, false, false), false, 0);
  for (uint8_t v : l.level) CHECK(v == 0);
}

TEST_CASE("a hit limit flashes WARN") {
  Annunciator a;
  CHECK(a.levels(lamps(false, false, false, false, true), false, 100).level[LAMP_WARN] == LAMP_FULL);
  CHECK(a.levels(lamps(false, false, false, false, true), false, 350).level[LAMP_WARN] == 0);
  CHECK(a.levels(lamps(false, false, false, false, true), false, 600).level[LAMP_WARN] == LAMP_FULL);
}

TEST_CASE("cluster: needles follow the accepted snapshot") {
  Cluster c(10000, AnnunciatorTiming(), 0);
  c.onSnapshot(snapshot(750, 300, 900), 1000);
  const ClusterFrame f = c.frame(1500);
  CHECK_FALSE(f.stale);
  CHECK(f.fuel_5h == 750);
  CHECK(f.tach == 300);
  CHECK(f.fuel_7d == 900);
  CHECK(f.lamps.level[LAMP_SONNET] == LAMP_FULL);
  CHECK(f.lamps.level[LAMP_STALL] == 0);
}

TEST_CASE("cluster: 10 s without an accepted snapshot drops the needles and lights STALL only") {
  Cluster c(10000, AnnunciatorTiming(), 0);
  c.onSnapshot(snapshot(750, 300, 900), 1000);
  ClusterFrame f = c.frame(10999);
  CHECK_FALSE(f.stale);
  CHECK(f.tach == 300);
  f = c.frame(11000);
  CHECK(f.stale);
  CHECK(f.fuel_5h == 0);
  CHECK(f.tach == 0);
  CHECK(f.fuel_7d == 0);
  for (int i = 0; i < LAMP_COUNT; ++i) CHECK(f.lamps.level[i] == (i == LAMP_STALL ? LAMP_FULL : 0));

  // The server confirms the held snapshot (HTTP 304): it is current again.
  c.onConfirmed(12000);
  f = c.frame(12001);
  CHECK_FALSE(f.stale);
  CHECK(f.tach == 300);
  CHECK(f.lamps.level[LAMP_STALL] == 0);
  // And a new snapshot moves the needles.
  c.onSnapshot(snapshot(10, 20, 30), 13000);
  CHECK(c.frame(13001).tach == 20);
  CHECK(c.frame(22999).tach == 20);
  CHECK(c.frame(23000).stale);
}

TEST_CASE("cluster: a server whose frames are all refused is stale, however alive its socket") {
  // Only onSnapshot/onConfirmed move the clock; link_task.cpp calls neither for a ping, a pong or a
  // refused frame, so this is the whole story on the cluster's side.
  Cluster c(10000, AnnunciatorTiming(), 0);
  c.onSnapshot(snapshot(750, 300, 900), 1000);
  for (uint32_t t = 1000; t < 11000; t += 100) CHECK_FALSE(c.frame(t).stale);
  CHECK(c.frame(11000).stale);
  // A confirmation stamped before the snapshot changes nothing.
  c.onConfirmed(900);
  CHECK(c.frame(11000).stale);
}

TEST_CASE("cluster: before any snapshot the needles rest and STALL waits N seconds") {
  Cluster c(10000, AnnunciatorTiming(), 500);
  // Nothing held, so nothing can be confirmed.
  c.onConfirmed(9000);
  ClusterFrame f = c.frame(9000);
  CHECK_FALSE(f.stale);
  CHECK(f.tach == 0);
  for (uint8_t v : f.lamps.level) CHECK(v == 0);
  f = c.frame(10500);
  CHECK(f.stale);
  CHECK(f.lamps.level[LAMP_STALL] == LAMP_FULL);
}

TEST_CASE("cluster: a snapshot stamped just after `now` is not a 49-day silence") {
  Cluster c(10000, AnnunciatorTiming(), 0);
  c.onSnapshot(snapshot(1, 2, 3), 5001);
  CHECK_FALSE(c.frame(5000).stale);
}

TEST_CASE("cluster: millis() wrap-around keeps counting time correctly") {
  const uint32_t near_wrap = 0xFFFFFFFFu - 2000;
  Cluster c(10000, AnnunciatorTiming(), near_wrap);
  c.onSnapshot(snapshot(1, 2, 3), near_wrap);
  CHECK_FALSE(c.frame(near_wrap + 9999).stale);  // wrapped past zero
  CHECK(c.frame(near_wrap + 10000).stale);
  c.onConfirmed(near_wrap + 10500);
  CHECK_FALSE(c.frame(near_wrap + 10501).stale);
}

TEST_CASE("lamp driver: LEDC channels 0..6, only changes written") {
  host::reset();
  const uint8_t pins[LAMP_COUNT] = {27, 14, 13, 12, 15, 2, 5};
  LampDriver d(pins);
  d.begin();
  for (int i = 0; i < LAMP_COUNT; ++i) {
    CHECK(host::channel_of_pin[pins[i]] == i);
    CHECK(host::channel_freq[i] == 5000);
  }
  LampLevels l;
  l.level[LAMP_HOT] = 200;
  d.write(l);
  CHECK(host::channel_duty[LAMP_HOT] == 200);
  host::channel_duty[LAMP_HOT] = 7;  // a write now would overwrite this
  d.write(l);
  CHECK(host::channel_duty[LAMP_HOT] == 7);
}
