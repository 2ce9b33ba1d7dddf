// A WebSocket client on POSIX sockets, for the simulator: what links2004/WebSockets 2.6.0 does for
// the calls link_task.cpp makes. loop() connects (blocking, as the library does) after the
// reconnect interval, answers pings, sends heartbeat pings and drops a socket whose pongs stop.
// Declarations follow src/WebSocketsClient.h and src/WebSockets.h; signatures.cpp holds them to that.
#pragma once

#include <Arduino.h>

#include <functional>
#include <string>

typedef enum {
  WStype_ERROR,
  WStype_DISCONNECTED,
  WStype_CONNECTED,
  WStype_TEXT,
  WStype_BIN,
  WStype_FRAGMENT_TEXT_START,
  WStype_FRAGMENT_BIN_START,
  WStype_FRAGMENT,
  WStype_FRAGMENT_FIN,
  WStype_PING,
  WStype_PONG,
} WStype_t;

class WebSocketsClient {
 public:
  typedef std::function<void(WStype_t type, uint8_t* payload, size_t length)> WebSocketClientEvent;

  WebSocketsClient(void);
  virtual ~WebSocketsClient(void);
  void begin(const char* host, uint16_t port, const char* url = "/", const char* protocol = "arduino");
  void loop(void);
  void onEvent(WebSocketClientEvent cbEvent);
  void setExtraHeaders(const char* extraHeaders = NULL);
  void setReconnectInterval(unsigned long time);
  void enableHeartbeat(uint32_t pingInterval, uint32_t pongTimeout, uint8_t disconnectTimeoutCount);
  bool isConnected(void);

 private:
  bool connect();
  void disconnect();
  bool sendFrame(uint8_t opcode, const uint8_t* payload, size_t length);
  void readFrames();
  void event(WStype_t type, uint8_t* payload, size_t length);

  std::string host_;
  uint16_t port_ = 0;
  std::string url_;
  std::string protocol_;
  std::string extra_headers_;
  WebSocketClientEvent cb_;
  int fd_ = -1;
  bool tried_ = false;
  unsigned long last_fail_ms_ = 0;
  unsigned long reconnect_ms_ = 500;
  uint32_t ping_interval_ms_ = 0;  // 0: no heartbeat
  uint32_t pong_timeout_ms_ = 0;
  uint8_t max_missed_ = 0;
  unsigned long last_ping_ms_ = 0;
  bool awaiting_pong_ = false;
  uint8_t missed_ = 0;
  std::string in_;  // received bytes not yet parsed into frames
};
