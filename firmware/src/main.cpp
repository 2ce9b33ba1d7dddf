// claude-gauge firmware: three X27.168 needles and seven lamps showing Claude Code usage from a
// claude-gauge server. loop() (core 1) only steps needles and lights lamps; the network task
// (core 0, link_task.cpp) fetches and parses snapshots.
#include <Arduino.h>

#if __has_include("config.h")
#include "config.h"
#else
#error "Copy firmware/include/config.example.h to firmware/include/config.h and fill in your WiFi and server."
#endif

#include "annunciator.h"
#include "cluster.h"
#include "gauge.h"
#include "link_task.h"
#include "pins.h"

// A token that does not fit stops the build here; link_start() checks it again at boot.
static_assert(sizeof(GAUGE_SERVER_TOKEN) - 1 <= LINK_TOKEN_MAX_CHARS, "GAUGE_SERVER_TOKEN is longer than LINK_TOKEN_MAX_CHARS");

// How often the cluster is recomputed and lamps refreshed (ms); needles step on every pass.
static const uint32_t FRAME_MS = 10;

static Gauge s_fuel5h(PIN_FUEL_5H);
static Gauge s_tach(PIN_TACH);
static Gauge s_fuel7d(PIN_FUEL_7D);
static Gauge* const s_gauges[] = {&s_fuel5h, &s_tach, &s_fuel7d};
static BootSweep s_sweep(s_gauges, sizeof(s_gauges) / sizeof(s_gauges[0]));
static LampDriver s_lamps(PIN_LAMPS);
static Cluster s_cluster(GAUGE_LINK_LOST_MS, AnnunciatorTiming(), 0);
static uint32_t s_seen_seq = 0;
static uint32_t s_last_frame_ms = 0;

void setup() {
  Serial.begin(115200);
  Serial.println("claude-gauge: boot");
  s_lamps.begin();
  for (Gauge* g : s_gauges) g->begin();  // zeroing: ~0.8 s per needle, against the stop
  s_sweep.start();

  // The wait for the first snapshot starts now, not at power-on.
  s_cluster = Cluster(GAUGE_LINK_LOST_MS, AnnunciatorTiming(), millis());

  LinkSettings settings{};
  settings.wifi_ssid = GAUGE_WIFI_SSID;
  settings.wifi_password = GAUGE_WIFI_PASSWORD;
  settings.host = GAUGE_SERVER_HOST;
  settings.port = GAUGE_SERVER_PORT;
  settings.token = GAUGE_SERVER_TOKEN;
  settings.http_timeout_ms = GAUGE_HTTP_TIMEOUT_MS;
  settings.heartbeat_ms = GAUGE_HEARTBEAT_MS;
  settings.timing.ws_grace_ms = GAUGE_WS_GRACE_MS;
  settings.timing.poll_interval_ms = GAUGE_POLL_INTERVAL_MS;
  settings.timing.refresh_ms = GAUGE_REFRESH_MS;
  link_start(settings);
}

void loop() {
  for (Gauge* g : s_gauges) g->update();
  // The power-on sweep owns the needles for its ~1.2 s; snapshots wait in the link report.
  if (s_sweep.running()) return;

  const uint32_t now = millis();
  if (now - s_last_frame_ms < FRAME_MS) return;
  s_last_frame_ms = now;

  const LinkReport r = link_report();
  if (r.snapshot_seq != s_seen_seq) {
    s_seen_seq = r.snapshot_seq;
    s_cluster.onSnapshot(r.snapshot, r.accepted_ms);
  } else {
    s_cluster.onConfirmed(r.accepted_ms);
  }

  const ClusterFrame f = s_cluster.frame(now);
  s_fuel5h.setPosition(f.fuel_5h);
  s_tach.setPosition(f.tach);
  s_fuel7d.setPosition(f.fuel_7d);
  s_lamps.write(f.lamps);
}
