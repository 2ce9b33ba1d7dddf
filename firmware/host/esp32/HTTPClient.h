// HTTPClient on POSIX sockets, for the simulator: one request per begin()/end(), as link_task.cpp
// uses it. Like arduino-esp32 2.0.17's: getSize() is the Content-Length or -1, writeToStream()
// decodes chunked bodies and stops with HTTPC_ERROR_STREAM_WRITE when the stream refuses bytes.
// Declarations follow libraries/HTTPClient/src/HTTPClient.h; signatures.cpp holds them to that.
#pragma once

#include <Arduino.h>
#include <WiFi.h>

#include <string>
#include <vector>

#define HTTPC_ERROR_CONNECTION_REFUSED (-1)
#define HTTPC_ERROR_SEND_HEADER_FAILED (-2)
#define HTTPC_ERROR_SEND_PAYLOAD_FAILED (-3)
#define HTTPC_ERROR_NOT_CONNECTED (-4)
#define HTTPC_ERROR_CONNECTION_LOST (-5)
#define HTTPC_ERROR_NO_STREAM (-6)
#define HTTPC_ERROR_NO_HTTP_SERVER (-7)
#define HTTPC_ERROR_TOO_LESS_RAM (-8)
#define HTTPC_ERROR_ENCODING (-9)
#define HTTPC_ERROR_STREAM_WRITE (-10)
#define HTTPC_ERROR_READ_TIMEOUT (-11)

typedef enum { HTTP_CODE_OK = 200, HTTP_CODE_NOT_MODIFIED = 304 } t_http_codes;

class HTTPClient {
 public:
  HTTPClient();
  ~HTTPClient();
  bool begin(WiFiClient& client, String host, uint16_t port, String uri = "/", bool https = false);
  void end(void);
  void setConnectTimeout(int32_t connectTimeout);
  void setTimeout(uint16_t timeout);
  int GET();
  void addHeader(const String& name, const String& value, bool first = false, bool replace = true);
  void collectHeaders(const char* headerKeys[], const size_t headerKeysCount);
  String header(const char* name);
  int getSize(void);
  int writeToStream(Stream* stream);
  static String errorToString(int error);

 private:
  bool readLine(std::string& line);
  long readSome(char* buf, size_t n);

  int fd_ = -1;
  std::string host_;
  uint16_t port_ = 0;
  std::string uri_;
  std::string headers_;
  std::vector<std::pair<std::string, std::string>> collected_;
  int32_t connect_timeout_ms_ = 5000;
  uint16_t timeout_ms_ = 5000;
  int size_ = -1;
  bool chunked_ = false;
};
