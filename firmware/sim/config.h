// The firmware's config.h for the simulator: where the server is comes from the command line
// (sim_main.cpp), every timing is config.example.h's.
#pragma once

#include <stdint.h>

namespace sim {
struct Target {
  const char* host;
  uint16_t port;
  const char* token;
};
extern Target target;
}  // namespace sim

#define GAUGE_WIFI_SSID "simulator"
#define GAUGE_WIFI_PASSWORD ""
#define GAUGE_SERVER_HOST sim::target.host
#define GAUGE_SERVER_PORT sim::target.port
#define GAUGE_SERVER_TOKEN sim::target.token
#define GAUGE_LINK_LOST_MS 10000
#define GAUGE_HTTP_TIMEOUT_MS 2000
#define GAUGE_WS_GRACE_MS 3000
#define GAUGE_POLL_INTERVAL_MS 1000
#define GAUGE_HEARTBEAT_MS 4000
#define GAUGE_REFRESH_MS 4000
