// WiFi station with reconnect backoff. WifiSupervisor is the pure timing rule (host-tested);
// wifi.cpp applies it to the ESP32 WiFi driver.
#pragma once

#include <stdint.h>

class WifiSupervisor {
 public:
  /** Retry after first_ms, doubling up to max_ms while the network stays away (ms). */
  WifiSupervisor(uint32_t first_ms, uint32_t max_ms, uint32_t now_ms)
      : first_ms_(first_ms), max_ms_(max_ms), delay_ms_(first_ms), last_try_ms_(now_ms) {}

  /** True when the caller should start a new connection attempt now. */
  bool shouldReconnect(bool connected, uint32_t now_ms) {
    if (connected) {
      delay_ms_ = first_ms_;
      last_try_ms_ = now_ms;
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

/** Starts connecting as a station (returns at once). */
void wifi_begin(const char* ssid, const char* password);
/** Call often from the network task: true while connected; re-dials with backoff otherwise. */
bool wifi_poll(uint32_t now_ms);
