// How the gauge reaches the server, as a small state machine (pure, host-tested). The WebSocket
// /ws is preferred: the server pushes each change. While it is down the gauge polls GET /usage at
// 1 Hz, and stops polling as soon as the socket is back. link_task.cpp drives it on the ESP32.
//
// Only an accepted snapshot proves the needles are current: a WebSocket ping or pong proves the
// socket, not the data (every frame might be refused, e.g. after a contract change). An idle server
// pushes nothing, so with the socket up but no snapshot accepted for refresh_ms the gauge asks
// GET /usage itself; a 304 for a snapshot it accepted over HTTP confirms that snapshot.
#pragma once

#include <stddef.h>
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
  /**
   * With the socket up, no snapshot accepted for this long starts a GET /usage, repeated at this
   * interval while none is accepted (ms). Under half the cluster's 10 s, so two tries fit.
   */
  uint32_t refresh_ms = 4000;
};

class LinkMachine {
 public:
  LinkMachine(LinkTiming timing, uint32_t now_ms);

  /** Report the socket state every loop (level, not edge: a missed event cannot wedge it). */
  void onSocket(bool connected, uint32_t now_ms);
  /** True when an HTTP GET /usage should start now; accepted_ms: when the last snapshot was accepted or confirmed. */
  bool pollDue(uint32_t now_ms, uint32_t accepted_ms) const;
  /** Call when a poll starts, whatever its outcome, so a dead server is asked at 1 Hz, not flat out. */
  void onPollStarted(uint32_t now_ms);

  LinkMode mode() const { return mode_; }
  static const char* name(LinkMode m);

 private:
  LinkTiming timing_;
  LinkMode mode_ = LinkMode::CONNECTING;
  uint32_t since_ms_;
  bool polled_ = false;  // false: no poll yet in this mode
  uint32_t last_poll_ms_ = 0;
};

/** Longest server token the firmware sends (chars); longer ones are refused at start, never cut. */
constexpr size_t LINK_TOKEN_MAX_CHARS = 160;

/**
 * Why these settings cannot work, as "field: reason", or nullptr when they can. Checked before the
 * network starts, so a token that does not fit the handshake buffer (or holds a character a header
 * cannot carry) is reported at boot instead of failing every WebSocket handshake with 401.
 */
const char* link_settings_problem(const char* host, uint16_t port, const char* token);
