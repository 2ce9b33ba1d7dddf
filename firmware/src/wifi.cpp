#include "wifi.h"

#include <Arduino.h>
#include <WiFi.h>

static const char* s_ssid = nullptr;
static const char* s_password = nullptr;
// 1 s, 2 s, 4 s … capped at 30 s: quick after a router blip, quiet during a long outage.
static WifiSupervisor s_supervisor(1000, 30000, 0);

void wifi_begin(const char* ssid, const char* password) {
  s_ssid = ssid;
  s_password = password;
  WiFi.mode(WIFI_STA);
  WiFi.setSleep(false);  // modem sleep adds 100+ ms latency to every push
  WiFi.begin(s_ssid, s_password);
  s_supervisor = WifiSupervisor(1000, 30000, millis());
}

bool wifi_poll(uint32_t now_ms) {
  const bool up = WiFi.status() == WL_CONNECTED;
  if (s_supervisor.shouldReconnect(up, now_ms)) {
    Serial.printf("wifi: not connected, retrying (next wait %lu ms)\n", static_cast<unsigned long>(s_supervisor.delayMs()));
    WiFi.disconnect();
    WiFi.begin(s_ssid, s_password);
  }
  return up;
}
