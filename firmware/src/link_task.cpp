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
static UsageParser s_parser;  // one document and arena for every snapshot, on this task only
// "Authorization: Bearer <token>", sent with the WebSocket handshake; link_start refuses longer tokens.
static char s_ws_auth[sizeof("Authorization: Bearer ") + LINK_TOKEN_MAX_CHARS];
// ETag of the snapshot held, when it came over HTTP; "" after a WebSocket frame replaced it.
static char s_etag[48];

/**
 * A response body, collected up to USAGE_JSON_MAX_BYTES. HTTPClient::writeToStream() decodes chunked
 * bodies (getSize() is -1 then) into it and gives up with HTTPC_ERROR_STREAM_WRITE as soon as it
 * refuses bytes, so no answer can grow the heap.
 */
class BodySink : public Stream {
 public:
  size_t write(uint8_t c) override { return write(&c, 1); }
  size_t write(const uint8_t* data, size_t n) override {
    if (n > sizeof(buf_) - len_) {
      over_ = true;
      setWriteError();
      return 0;
    }
    memcpy(buf_ + len_, data, n);
    len_ += n;
    return n;
  }
  int available() override { return 0; }
  int read() override { return -1; }
  int peek() override { return -1; }

  const char* data() const { return buf_; }
  size_t size() const { return len_; }
  bool over() const { return over_; }

 private:
  char buf_[USAGE_JSON_MAX_BYTES];
  size_t len_ = 0;
  bool over_ = false;
};

static void publishSnapshot(const UsageContract& snapshot, uint32_t now_ms) {
  xSemaphoreTake(s_lock, portMAX_DELAY);
  s_report.snapshot = snapshot;
  ++s_report.snapshot_seq;
  s_report.accepted_ms = now_ms;
  xSemaphoreGive(s_lock);
}

static void publishConfirmed(uint32_t now_ms) {
  xSemaphoreTake(s_lock, portMAX_DELAY);
  s_report.accepted_ms = now_ms;
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
  if (!s_parser.parse(body, len, snapshot, err, sizeof(err))) {
    Serial.printf("link: %s snapshot refused: %s\n", via, err);
    return false;
  }
  publishSnapshot(snapshot, millis());
  return true;
}

static void onWsEvent(WStype_t type, uint8_t* payload, size_t length) {
  switch (type) {
    case WStype_TEXT:
      // The held snapshot no longer matches any ETag this task knows.
      if (accept(reinterpret_cast<const char*>(payload), length, "ws")) s_etag[0] = '\0';
      break;
    case WStype_CONNECTED:
      Serial.println("link: websocket connected");
      break;
    case WStype_DISCONNECTED:
      Serial.println("link: websocket closed");
      break;
    default:
      // Pings and pongs keep the socket honest (the heartbeat drops a dead one) but prove nothing
      // about the numbers; an idle server is asked over HTTP instead (LinkTiming::refresh_ms).
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
  // The server answers 304 while the snapshot held is still its current one.
  if (s_etag[0] != '\0') http.addHeader("If-None-Match", s_etag);
  const char* keep[] = {"ETag"};
  http.collectHeaders(keep, 1);
  const int code = http.GET();
  if (code == HTTP_CODE_NOT_MODIFIED) {
    publishConfirmed(millis());
  } else if (code == HTTP_CODE_OK) {
    // -1 (chunked, or no Content-Length) is bounded by the sink instead.
    if (http.getSize() > USAGE_JSON_MAX_BYTES) {
      Serial.printf("link: GET /usage body of %d bytes is over the %d byte limit\n", http.getSize(), USAGE_JSON_MAX_BYTES);
    } else {
      BodySink body;
      const int got = http.writeToStream(&body);
      if (body.over()) {
        Serial.printf("link: GET /usage body is over the %d byte limit\n", USAGE_JSON_MAX_BYTES);
      } else if (got < 0) {
        Serial.printf("link: GET /usage body: %s\n", HTTPClient::errorToString(got).c_str());
      } else if (accept(body.data(), body.size(), "http")) {
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
      xSemaphoreTake(s_lock, portMAX_DELAY);
      const uint32_t accepted_ms = s_report.accepted_ms;
      xSemaphoreGive(s_lock);
      if (link.pollDue(millis(), accepted_ms)) {
        link.onPollStarted(millis());
        pollOnce();
      }
    }
    publishStatus(link.mode(), wifi_up);
    vTaskDelay(pdMS_TO_TICKS(5));
  }
}

bool link_start(const LinkSettings& settings) {
  const char* problem = link_settings_problem(settings.host, settings.port, settings.token);
  if (problem != nullptr) {
    Serial.printf("link: not starting, bad setting: %s\n", problem);
    return false;
  }
  s_cfg = settings;
  s_lock = xSemaphoreCreateMutex();
  s_report.mode = LinkMode::CONNECTING;
  s_report.accepted_ms = millis();
  // Core 0 already hosts the WiFi stack; loop() and the steppers keep core 1 to themselves.
  xTaskCreatePinnedToCore(netTask, "net", 10240, nullptr, 1, nullptr, 0);
  return true;
}

LinkReport link_report() {
  LinkReport r{};
  if (s_lock == nullptr) return r;  // never started: no snapshot, ever
  xSemaphoreTake(s_lock, portMAX_DELAY);
  r = s_report;
  xSemaphoreGive(s_lock);
  return r;
}
