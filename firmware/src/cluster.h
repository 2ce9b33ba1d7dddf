// The instrument cluster's brain: the newest snapshot plus the clock in, needle targets and lamp
// levels out. Pure, so every timeline is host-tested; main.cpp only moves data to the hardware.
#pragma once

#include <stdint.h>

#include "annunciator.h"
#include "usage_contract.h"

struct ClusterFrame {
  /** Needle targets in contract units (0..1000). */
  int32_t fuel_5h = 0;
  int32_t tach = 0;
  int32_t fuel_7d = 0;
  LampLevels lamps;
  bool link_lost = false;
};

class Cluster {
 public:
  /**
   * link_lost_ms: silence (no snapshot, ping or pong) after which the needles drop to zero and
   * STALL lights (ms). now_ms: boot time, counted as the last sign of life.
   */
  Cluster(uint32_t link_lost_ms, AnnunciatorTiming timing, uint32_t now_ms);

  void onSnapshot(const UsageContract& s, uint32_t at_ms);
  /** Any sign that the server is there, e.g. a WebSocket pong or an HTTP 304. */
  void onAlive(uint32_t at_ms);
  ClusterFrame frame(uint32_t now_ms);

 private:
  uint32_t link_lost_ms_;
  Annunciator annunciator_;
  uint32_t alive_ms_;
  bool has_snapshot_ = false;
  UsageContract snapshot_{};
};
