#include "wifi.h"

#include <Arduino.h>
#include <WiFi.h>

static const char* s_ssid = nullptr;
static const char* s_password = nullptr;
static WifiSupervisor s_supervisor(WIFI_RETRY_FIRST_MS, WIFI_RETRY_MAX_MS, 0);

void wifi_begin(const char* ssid, const char* password) {
  s_ssid = ssid;
  s_password = password;
  WiFi.mode(WIFI_STA);
  WiFi.setSleep(false);  // modem sleep adds 100+ ms latency to every push
  WiFi.setAutoReconnect(true);
  WiFi.begin(s_ssid, s_password);
  s_supervisor = WifiSupervisor(WIFI_RETRY_FIRST_MS, WIFI_RETRY_MAX_MS, millis());
}

bool wifi_poll(uint32_t now_ms) {
  const bool up = WiFi.status() == WL_CONNECTED;
  if (s_supervisor.shouldReconnect(up, now_ms)) {
    Serial.printf("wifi: still not connected, starting over (next try in %lu s)\n",
                  static_cast<unsigned long>(s_supervisor.delayMs() / 1000));
    WiFi.disconnect();
    WiFi.begin(s_ssid, s_password);
  }
  return up;
}
