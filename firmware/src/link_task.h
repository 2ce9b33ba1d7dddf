// The network side, on its own FreeRTOS task: WiFi, the WebSocket, HTTP polls and JSON parsing.
// The WebSocket library blocks for seconds while it reconnects; on this task that only delays
// the next frame, while the needles keep stepping in loop() on the other core.
#pragma once

#include <stdint.h>

#include "link.h"
#include "usage_contract.h"

struct LinkSettings {
  const char* wifi_ssid;
  const char* wifi_password;
  const char* host;
  uint16_t port;
  /** bearer token; "" when the server has none; at most LINK_TOKEN_MAX_CHARS */
  const char* token;
  /** HTTP connect and read timeout (ms) */
  uint32_t http_timeout_ms;
  /** WebSocket ping interval (ms); two missed pongs drop the socket and the link falls back to polling */
  uint32_t heartbeat_ms;
  LinkTiming timing;
};

/** What the network task last learned. Plain data, copied out under a mutex. */
struct LinkReport {
  /** the newest accepted snapshot */
  UsageContract snapshot;
  /** bumps with every accepted snapshot; 0 = none yet */
  uint32_t snapshot_seq;
  /** millis() when that snapshot was accepted, or later confirmed by an HTTP 304 */
  uint32_t accepted_ms;
  LinkMode mode;
  bool wifi_up;
};

/**
 * Checks the settings, then starts WiFi and the network task on core 0 (the Arduino loop runs on
 * core 1). Settings that cannot work are reported on Serial and nothing starts: the cluster then
 * shows STALL. Call once, from setup(). Returns whether the task started.
 */
bool link_start(const LinkSettings& settings);
/** The newest report; holds the lock only for one struct copy. */
LinkReport link_report();
