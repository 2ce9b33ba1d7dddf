// Declarations only (see README.md).
#pragma once

#include <cstdint>

typedef enum { WIFI_OFF = 0, WIFI_STA = 1, WIFI_AP = 2, WIFI_AP_STA = 3 } wifi_mode_t;
typedef enum {
  WL_IDLE_STATUS = 0,
  WL_NO_SSID_AVAIL = 1,
  WL_SCAN_COMPLETED = 2,
  WL_CONNECTED = 3,
  WL_CONNECT_FAILED = 4,
  WL_CONNECTION_LOST = 5,
  WL_DISCONNECTED = 6
} wl_status_t;

class WiFiClient {
 public:
  WiFiClient();
  ~WiFiClient();
};

class WiFiClass {
 public:
  bool mode(wifi_mode_t m);
  bool setSleep(bool enabled);
  wl_status_t begin(const char* ssid, const char* passphrase = nullptr, int32_t channel = 0,
                    const uint8_t* bssid = nullptr, bool connect = true);
  bool disconnect(bool wifioff = false, bool eraseap = false);
  wl_status_t status();
};
extern WiFiClass WiFi;
