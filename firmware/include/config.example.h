// Copy this file to include/config.h and fill it in. config.h is git-ignored (firmware/.gitignore)
// because it holds your WiFi password and the server token.
#pragma once

// Your 2.4 GHz network (the ESP32 has no 5 GHz radio).
#define GAUGE_WIFI_SSID "your-network"
#define GAUGE_WIFI_PASSWORD "your-password"

// The computer running `claude-gauge serve --lan`: its LAN address (not localhost) and port.
#define GAUGE_SERVER_HOST "192.168.1.20"
#define GAUGE_SERVER_PORT 8080
// The server's --token value, or "" when it runs without one (at most 160 characters).
#define GAUGE_SERVER_TOKEN ""

// Time without a snapshot the firmware accepts before the needles drop to zero and STALL lights
// (ms). Pings do not count: a server whose every snapshot is refused (another contract version)
// is as good as silent.
#define GAUGE_LINK_LOST_MS 10000
// HTTP connect and read timeout for GET /usage (ms).
#define GAUGE_HTTP_TIMEOUT_MS 2000
// How long the WebSocket gets at boot before polling starts (ms).
#define GAUGE_WS_GRACE_MS 3000
// Poll interval while the WebSocket is down (ms).
#define GAUGE_POLL_INTERVAL_MS 1000
// WebSocket ping interval (ms); two missed pongs drop the socket and the gauge polls instead.
#define GAUGE_HEARTBEAT_MS 4000
// With the WebSocket up but no new snapshot for this long, ask GET /usage (ms): an idle server
// pushes nothing. Keep it under half of GAUGE_LINK_LOST_MS.
#define GAUGE_REFRESH_MS 4000
