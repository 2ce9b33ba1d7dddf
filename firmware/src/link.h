// How the gauge reaches the server, as a small state machine (pure, host-tested). The WebSocket
// /ws is preferred: the server pushes each change. While it is down the gauge polls GET /usage at
// 1 Hz, and stops polling as soon as the socket is back. link_task.cpp drives it on the ESP32.
#pragma once

#include <stdint.h>

enum class LinkMode : uint8_t {
  CONNECTING,  // just started: giving the WebSocket its first chance
  PUSH,        // WebSocket up; frames arrive by themselves
  POLL,        // WebSocket down; HTTP GET /usage every poll_interval_ms
};

struct LinkTiming {
  /** How long the first WebSocket attempt may take before polling starts (ms). */
  uint32_t ws_grace_ms = 3000;
  /** Gap between HTTP polls while the socket is down (ms); 1000 = 1 Hz. */
  uint32_t poll_interval_ms = 1000;
};

class LinkMachine {
 public:
  LinkMachine(LinkTiming timing, uint32_t now_ms);

  /** Report the socket state every loop (level, not edge: a missed event cannot wedge it). */
  void onSocket(bool connected, uint32_t now_ms);
  /** True when an HTTP poll should start now. */
  bool pollDue(uint32_t now_ms) const;
  /** Call when a poll starts, whatever its outcome, so a dead server is asked at 1 Hz, not flat out. */
  void onPollStarted(uint32_t now_ms);

  LinkMode mode() const { return mode_; }
  static const char* name(LinkMode m);

 private:
  LinkTiming timing_;
  LinkMode mode_ = LinkMode::CONNECTING;
  uint32_t since_ms_;
  bool polled_ = false;  // false: the next poll is due at once
  uint32_t last_poll_ms_ = 0;
};
