// Declarations only (see README.md).
#pragma once

#include <WiFi.h>

#include <cstddef>
#include <cstdint>

typedef enum { HTTP_CODE_OK = 200, HTTP_CODE_NOT_MODIFIED = 304 } t_http_codes;

class HTTPClient {
 public:
  HTTPClient();
  ~HTTPClient();
  bool begin(WiFiClient& client, String host, uint16_t port, String uri = "/", bool https = false);
  void end();
  void setConnectTimeout(int32_t connectTimeout);
  void setTimeout(uint16_t timeout);
  int GET();
  void addHeader(const String& name, const String& value, bool first = false, bool replace = true);
  void collectHeaders(const char* headerKeys[], const size_t headerKeysCount);
  String header(const char* name);
  int getSize();
  String getString();
  static String errorToString(int error);
};
