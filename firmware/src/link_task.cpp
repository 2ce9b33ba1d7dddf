#include "link_task.h"

#include <Arduino.h>
#include <HTTPClient.h>
#include <WebSocketsClient.h>
#include <WiFi.h>

#include "wifi.h"

static LinkSettings s_cfg;
static SemaphoreHandle_t s_lock = nullptr;
static LinkReport s_report{};  // guarded by s_lock
static WebSocketsClient s_ws;
static char s_ws_auth[192];  // "Authorization: Bearer <token>", sent with the WebSocket handshake
static char s_etag[48];      // of the last snapshot accepted over HTTP, for If-None-Match

static void publish(const UsageContract* snapshot, uint32_t now_ms) {
  xSemaphoreTake(s_lock, portMAX_DELAY);
  if (snapshot != nullptr) {
    s_report.snapshot = *snapshot;
    ++s_report.snapshot_seq;
  }
  s_report.alive_ms = now_ms;
  xSemaphoreGive(s_lock);
}

static void publishStatus(LinkMode mode, bool wifi_up) {
  xSemaphoreTake(s_lock, portMAX_DELAY);
  const bool changed = s_report.mode != mode || s_report.wifi_up != wifi_up;
  s_report.mode = mode;
  s_report.wifi_up = wifi_up;
  xSemaphoreGive(s_lock);
  if (changed) Serial.printf("link: %s, wifi %s\n", LinkMachine::name(mode), wifi_up ? "up" : "down");
}

static bool accept(const char* body, size_t len, const char* via) {
  UsageContract snapshot;
  char err[96];
  if (!usage_parse(body, len, snapshot, err, sizeof(err))) {
    Serial.printf("link: %s snapshot refused: %s\n", via, err);
    return false;
  }
  publish(&snapshot, millis());
  return true;
}

static void onWsEvent(WStype_t type, uint8_t* payload, size_t length) {
  switch (type) {
    case WStype_TEXT:
      accept(reinterpret_cast<const char*>(payload), length, "ws");
      break;
    case WStype_PING:  // the server pings every 15 s even when nothing changes
    case WStype_PONG:  // answers to our own heartbeat
      publish(nullptr, millis());
      break;
    case WStype_CONNECTED:
      Serial.println("link: websocket connected");
      break;
    case WStype_DISCONNECTED:
      Serial.println("link: websocket closed");
      break;
    default:
      break;
  }
}

static void pollOnce() {
  WiFiClient tcp;
  HTTPClient http;
  http.setConnectTimeout(static_cast<int32_t>(s_cfg.http_timeout_ms));
  http.setTimeout(static_cast<uint16_t>(s_cfg.http_timeout_ms));
  if (!http.begin(tcp, s_cfg.host, s_cfg.port, "/usage")) return;
  if (s_cfg.token[0] != '\0') http.addHeader("Authorization", String("Bearer ") + s_cfg.token);
  // The server answers 304 while nothing changed: a sign of life without a body to parse.
  if (s_etag[0] != '\0') http.addHeader("If-None-Match", s_etag);
  const char* keep[] = {"ETag"};
  http.collectHeaders(keep, 1);
  const int code = http.GET();
  if (code == HTTP_CODE_NOT_MODIFIED) {
    publish(nullptr, millis());
  } else if (code == HTTP_CODE_OK) {
    if (http.getSize() > USAGE_JSON_MAX_BYTES) {
      Serial.printf("link: GET /usage body of %d bytes is over the limit\n", http.getSize());
    } else {
      const String body = http.getString();
      if (accept(body.c_str(), body.length(), "http")) {
        snprintf(s_etag, sizeof(s_etag), "%s", http.header("ETag").c_str());
      }
    }
  } else {
    Serial.printf("link: GET /usage failed: %d %s\n", code, HTTPClient::errorToString(code).c_str());
  }
  http.end();
}

static void netTask(void*) {
  wifi_begin(s_cfg.wifi_ssid, s_cfg.wifi_password);
  s_ws.begin(s_cfg.host, s_cfg.port, "/ws");
  if (s_cfg.token[0] != '\0') {
    snprintf(s_ws_auth, sizeof(s_ws_auth), "Authorization: Bearer %s", s_cfg.token);
    s_ws.setExtraHeaders(s_ws_auth);
  }
  s_ws.onEvent(onWsEvent);
  s_ws.setReconnectInterval(5000);
  // Two missed pongs (3 s each) drop a half-open socket, which sends the link to polling.
  s_ws.enableHeartbeat(s_cfg.heartbeat_ms, 3000, 2);

  LinkMachine link(s_cfg.timing, millis());
  bool was_up = false;
  for (;;) {
    const bool wifi_up = wifi_poll(millis());
    // After every (re)join the socket gets its grace period first; WiFi time does not eat into it.
    if (wifi_up && !was_up) link = LinkMachine(s_cfg.timing, millis());
    was_up = wifi_up;
    if (wifi_up) {
      s_ws.loop();  // may block for seconds while reconnecting; the needles do not care
      link.onSocket(s_ws.isConnected(), millis());
      if (link.pollDue(millis())) {
        link.onPollStarted(millis());
        pollOnce();
      }
    }
    publishStatus(link.mode(), wifi_up);
    vTaskDelay(pdMS_TO_TICKS(5));
  }
}

void link_start(const LinkSettings& settings) {
  s_cfg = settings;
  s_lock = xSemaphoreCreateMutex();
  s_report.mode = LinkMode::CONNECTING;
  s_report.alive_ms = millis();
  // Core 0 already hosts the WiFi stack; loop() and the steppers keep core 1 to themselves.
  xTaskCreatePinnedToCore(netTask, "net", 10240, nullptr, 1, nullptr, 0);
}

LinkReport link_report() {
  xSemaphoreTake(s_lock, portMAX_DELAY);
  const LinkReport r = s_report;
  xSemaphoreGive(s_lock);
  return r;
}
