// Declarations only (see README.md); from links2004/WebSockets src/WebSockets.h and WebSocketsClient.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

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
  WebSocketsClient();
  virtual ~WebSocketsClient();
  void begin(const char* host, uint16_t port, const char* url = "/", const char* protocol = "arduino");
  void loop();
  void onEvent(WebSocketClientEvent cbEvent);
  void setExtraHeaders(const char* extraHeaders = nullptr);
  void setReconnectInterval(unsigned long time);
  void enableHeartbeat(uint32_t pingInterval, uint32_t pongTimeout, uint8_t disconnectTimeoutCount);
  bool isConnected();
};
