// The simulator's ESP32-only stand-ins must declare what the real libraries declare, or the
// firmware could compile here and not on the board. Each line names a signature as the upstream
// header spells it, and fails to compile when the stand-in drifts from it:
//   arduino-esp32 2.0.17  libraries/HTTPClient/src/HTTPClient.h (the 3.x header differs only in
//                         NetworkClient for WiFiClient), libraries/WiFi/src/WiFiSTA.h,
//                         WiFiGeneric.h, cores/esp32/Print.h, Stream.h
//   links2004/WebSockets 2.6.0  src/WebSocketsClient.h, src/WebSockets.h (WStype_t)
// Only the calls the firmware makes are listed; nothing here runs.
#include <HTTPClient.h>
#include <WebSocketsClient.h>
#include <WiFi.h>

#include <type_traits>

#define SAME(member, type) static_assert(std::is_same<decltype(static_cast<type>(member)), type>::value, #member)

SAME(&HTTPClient::begin, bool (HTTPClient::*)(WiFiClient&, String, uint16_t, String, bool));
SAME(&HTTPClient::end, void (HTTPClient::*)(void));
SAME(&HTTPClient::setConnectTimeout, void (HTTPClient::*)(int32_t));
SAME(&HTTPClient::setTimeout, void (HTTPClient::*)(uint16_t));
SAME(&HTTPClient::GET, int (HTTPClient::*)());
SAME(&HTTPClient::addHeader, void (HTTPClient::*)(const String&, const String&, bool, bool));
SAME(&HTTPClient::collectHeaders, void (HTTPClient::*)(const char*[], const size_t));
SAME(&HTTPClient::header, String (HTTPClient::*)(const char*));
SAME(&HTTPClient::getSize, int (HTTPClient::*)(void));
SAME(&HTTPClient::writeToStream, int (HTTPClient::*)(Stream*));
SAME(&HTTPClient::errorToString, String (*)(int));
static_assert(HTTP_CODE_OK == 200 && HTTP_CODE_NOT_MODIFIED == 304, "t_http_codes");
static_assert(HTTPC_ERROR_STREAM_WRITE == -10 && HTTPC_ERROR_READ_TIMEOUT == -11, "HTTPC_ERROR_*");

SAME(&WiFiClass::mode, bool (WiFiClass::*)(wifi_mode_t));
SAME(&WiFiClass::setSleep, bool (WiFiClass::*)(bool));
SAME(&WiFiClass::setAutoReconnect, bool (WiFiClass::*)(bool));
SAME(&WiFiClass::begin, wl_status_t (WiFiClass::*)(const char*, const char*, int32_t, const uint8_t*, bool));
SAME(&WiFiClass::disconnect, bool (WiFiClass::*)(bool, bool));
SAME(&WiFiClass::status, wl_status_t (*)());
static_assert(WL_CONNECTED == 3 && WIFI_STA == WIFI_MODE_STA, "wl_status_t, wifi_mode_t");

SAME(&Print::write, size_t (Print::*)(const uint8_t*, size_t));
SAME(&Stream::available, int (Stream::*)());
SAME(&Stream::read, int (Stream::*)());
SAME(&Stream::peek, int (Stream::*)());

SAME(&WebSocketsClient::begin, void (WebSocketsClient::*)(const char*, uint16_t, const char*, const char*));
SAME(&WebSocketsClient::loop, void (WebSocketsClient::*)(void));
SAME(&WebSocketsClient::onEvent, void (WebSocketsClient::*)(WebSocketsClient::WebSocketClientEvent));
SAME(&WebSocketsClient::setExtraHeaders, void (WebSocketsClient::*)(const char*));
SAME(&WebSocketsClient::setReconnectInterval, void (WebSocketsClient::*)(unsigned long));
SAME(&WebSocketsClient::enableHeartbeat, void (WebSocketsClient::*)(uint32_t, uint32_t, uint8_t));
SAME(&WebSocketsClient::isConnected, bool (WebSocketsClient::*)(void));
static_assert(std::is_same<WebSocketsClient::WebSocketClientEvent, std::function<void(WStype_t, uint8_t*, size_t)>>::value,
              "WebSocketClientEvent");
static_assert(WStype_TEXT == 3 && WStype_PING == 9 && WStype_PONG == 10, "WStype_t");
