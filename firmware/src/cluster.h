// The instrument cluster's brain: the newest accepted snapshot plus the clock in, needle targets and
// lamp levels out. Pure, so every timeline is host-tested; main.cpp only moves data to the hardware.
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
  /** No snapshot accepted (or confirmed) for the stale time: needles at zero, STALL alone lit. */
  bool stale = false;
};

class Cluster {
 public:
  /**
   * stale_ms: time without an accepted snapshot after which the needles drop to zero and STALL
   * lights (ms). now_ms: boot time, from which the first snapshot is awaited.
   */
  Cluster(uint32_t stale_ms, AnnunciatorTiming timing, uint32_t now_ms);

  /** A snapshot the parser accepted, and when. */
  void onSnapshot(const UsageContract& s, uint32_t at_ms);
  /**
   * The server confirmed that the snapshot held is still its current one (HTTP 304 to the ETag it
   * came with). Pings, pongs and refused frames are not confirmations: they say nothing about the
   * numbers on the dial.
   */
  void onConfirmed(uint32_t at_ms);
  ClusterFrame frame(uint32_t now_ms);

 private:
  uint32_t stale_ms_;
  Annunciator annunciator_;
  uint32_t fresh_ms_;  // when the held snapshot was last accepted or confirmed (boot before the first)
  bool has_snapshot_ = false;
  UsageContract snapshot_{};
};
