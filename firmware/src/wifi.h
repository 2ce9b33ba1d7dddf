// WiFi station. The ESP32 core reconnects by itself after most drops (setAutoReconnect, on by
// default and set explicitly in wifi_begin); WifiSupervisor is only the slow safety net for when
// that has not worked for a long while, e.g. after a refused password. It is the pure timing rule
// (host-tested); wifi.cpp applies it to the ESP32 WiFi driver.
#pragma once

#include <stdint.h>

class WifiSupervisor {
 public:
  /**
   * A new attempt once the station has been down for first_ms, then after waits doubling up to
   * max_ms while it stays down (ms).
   */
  WifiSupervisor(uint32_t first_ms, uint32_t max_ms, uint32_t now_ms)
      : first_ms_(first_ms), max_ms_(max_ms), delay_ms_(first_ms), last_try_ms_(now_ms) {}

  /** True when the caller should start a new connection attempt now. */
  bool shouldReconnect(bool connected, uint32_t now_ms) {
    if (connected) {
      delay_ms_ = first_ms_;
      last_try_ms_ = now_ms;  // a drop is timed from the last moment the station was up
      return false;
    }
    if (now_ms - last_try_ms_ < delay_ms_) return false;
    last_try_ms_ = now_ms;
    delay_ms_ = delay_ms_ >= max_ms_ / 2 ? max_ms_ : delay_ms_ * 2;
    return true;
  }

  /** Wait before the attempt after next (ms). */
  uint32_t delayMs() const { return delay_ms_; }

 private:
  uint32_t first_ms_;
  uint32_t max_ms_;
  uint32_t delay_ms_;
  uint32_t last_try_ms_;
};

/**
 * First wait (ms): association plus DHCP takes 1.5–4 s, and after a drop the core's own reconnect
 * gets several tries before the firmware interrupts it.
 */
constexpr uint32_t WIFI_RETRY_FIRST_MS = 20000;
/** Longest wait between the firmware's own attempts (ms). */
constexpr uint32_t WIFI_RETRY_MAX_MS = 120000;

/** Starts connecting as a station (returns at once). */
void wifi_begin(const char* ssid, const char* password);
/** Call often from the network task: true while connected; re-dials with backoff otherwise. */
bool wifi_poll(uint32_t now_ms);
