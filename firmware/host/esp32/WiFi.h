// WiFi on the simulator's host: the machine's own network is the station, always connected.
// Declarations follow arduino-esp32 2.0.17 (libraries/WiFi/src: WiFiType.h, WiFiGeneric.h,
// WiFiSTA.h, WiFiClient.h) for the calls the firmware makes; signatures.cpp holds them to that.
#pragma once

#include <Arduino.h>

typedef enum { WIFI_MODE_NULL = 0, WIFI_MODE_STA, WIFI_MODE_AP, WIFI_MODE_APSTA, WIFI_MODE_MAX } wifi_mode_t;
#define WIFI_OFF WIFI_MODE_NULL
#define WIFI_STA WIFI_MODE_STA

typedef enum {
  WL_NO_SHIELD = 255,
  WL_IDLE_STATUS = 0,
  WL_NO_SSID_AVAIL = 1,
  WL_SCAN_COMPLETED = 2,
  WL_CONNECTED = 3,
  WL_CONNECT_FAILED = 4,
  WL_CONNECTION_LOST = 5,
  WL_DISCONNECTED = 6
} wl_status_t;

/** Only a handle here: the host HTTPClient opens its own socket. */
class WiFiClient {};

class WiFiClass {
 public:
  bool mode(wifi_mode_t m);
  bool setSleep(bool enabled);
  bool setAutoReconnect(bool autoReconnect);
  wl_status_t begin(const char* ssid, const char* passphrase = NULL, int32_t channel = 0, const uint8_t* bssid = NULL,
                    bool connect = true);
  bool disconnect(bool wifioff = false, bool eraseap = false);
  static wl_status_t status();
};
extern WiFiClass WiFi;
