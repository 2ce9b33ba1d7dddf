#include <WebSocketsClient.h>
#include <strings.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "net_host.h"

namespace {

// links2004/WebSockets on the ESP32: WEBSOCKETS_MAX_DATA_SIZE and WEBSOCKETS_TCP_TIMEOUT.
constexpr size_t kMaxPayload = 15 * 1024;
constexpr uint32_t kTcpTimeoutMs = 5000;

std::string base64(const uint8_t* data, size_t n) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < n; i += 3) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (i + 1 < n ? uint32_t{data[i + 1]} << 8 : 0) | (i + 2 < n ? data[i + 2] : 0);
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += i + 1 < n ? abc[(v >> 6) & 63] : '=';
    out += i + 2 < n ? abc[v & 63] : '=';
  }
  return out;
}

}  // namespace

WebSocketsClient::WebSocketsClient(void) = default;

WebSocketsClient::~WebSocketsClient(void) { hostnet::close_fd(fd_); }

void WebSocketsClient::begin(const char* host, uint16_t port, const char* url, const char* protocol) {
  host_ = host;
  port_ = port;
  url_ = url;
  protocol_ = protocol;
}

void WebSocketsClient::onEvent(WebSocketClientEvent cbEvent) { cb_ = cbEvent; }

void WebSocketsClient::setExtraHeaders(const char* extraHeaders) { extra_headers_ = extraHeaders == nullptr ? "" : extraHeaders; }

void WebSocketsClient::setReconnectInterval(unsigned long time) { reconnect_ms_ = time; }

void WebSocketsClient::enableHeartbeat(uint32_t pingInterval, uint32_t pongTimeout, uint8_t disconnectTimeoutCount) {
  ping_interval_ms_ = pingInterval;
  pong_timeout_ms_ = pongTimeout;
  max_missed_ = disconnectTimeoutCount;
}

bool WebSocketsClient::isConnected(void) { return fd_ >= 0; }

void WebSocketsClient::event(WStype_t type, uint8_t* payload, size_t length) {
  if (cb_) cb_(type, payload, length);
}

void WebSocketsClient::loop(void) {
  if (fd_ < 0) {
    if (tried_ && millis() - last_fail_ms_ < reconnect_ms_) return;
    tried_ = true;
    if (!connect()) {
      last_fail_ms_ = millis();
      return;
    }
  }
  readFrames();
  if (fd_ < 0 || ping_interval_ms_ == 0) return;
  const unsigned long now = millis();
  if (awaiting_pong_ && now - last_ping_ms_ >= pong_timeout_ms_) {
    awaiting_pong_ = false;
    if (++missed_ >= max_missed_) {
      disconnect();  // half-open: the server stopped answering
      return;
    }
  }
  if (!awaiting_pong_ && now - last_ping_ms_ >= ping_interval_ms_) {
    sendFrame(0x9, nullptr, 0);
    last_ping_ms_ = now;
    awaiting_pong_ = true;
  }
}

bool WebSocketsClient::connect() {
  fd_ = hostnet::connect_tcp(host_.c_str(), port_, kTcpTimeoutMs);
  if (fd_ < 0) return false;
  uint8_t nonce[16];
  for (uint8_t& b : nonce) b = static_cast<uint8_t>(rand());
  std::string req = "GET " + url_ + " HTTP/1.1\r\nHost: " + host_ + ":" + std::to_string(port_) +
                    "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " +
                    base64(nonce, sizeof(nonce)) + "\r\n";
  if (!protocol_.empty()) req += "Sec-WebSocket-Protocol: " + protocol_ + "\r\n";
  req += "Origin: file://\r\nUser-Agent: arduino-WebSocket-Client\r\n";
  if (!extra_headers_.empty()) req += extra_headers_ + "\r\n";
  req += "\r\n";
  if (!hostnet::send_all(fd_, req.data(), req.size())) {
    hostnet::close_fd(fd_);
    return false;
  }
  // The response head, up to its blank line; frames may follow in the same read.
  std::string head;
  size_t end;
  while ((end = head.find("\r\n\r\n")) == std::string::npos) {
    char buf[512];
    const long got = hostnet::recv_some(fd_, buf, sizeof(buf), kTcpTimeoutMs);
    if (got <= 0 || head.size() > 8192) {
      hostnet::close_fd(fd_);
      return false;
    }
    head.append(buf, static_cast<size_t>(got));
  }
  // Anything but 101 (a 401 for a wrong token, a 404 from a server without /ws) is a failed attempt.
  if (head.compare(0, 12, "HTTP/1.1 101") != 0) {
    hostnet::close_fd(fd_);
    return false;
  }
  in_ = head.substr(end + 4);
  awaiting_pong_ = false;
  missed_ = 0;
  last_ping_ms_ = millis();
  event(WStype_CONNECTED, reinterpret_cast<uint8_t*>(&url_[0]), url_.size());
  return true;
}

void WebSocketsClient::disconnect() {
  hostnet::close_fd(fd_);
  in_.clear();
  last_fail_ms_ = millis();
  event(WStype_DISCONNECTED, nullptr, 0);
}

bool WebSocketsClient::sendFrame(uint8_t opcode, const uint8_t* payload, size_t length) {
  std::vector<uint8_t> f;
  f.push_back(static_cast<uint8_t>(0x80 | opcode));
  // Control frames only (pings, pongs, close): payloads under 126 bytes; clients always mask.
  f.push_back(static_cast<uint8_t>(0x80 | (length & 0x7F)));
  uint8_t mask[4];
  for (uint8_t& b : mask) b = static_cast<uint8_t>(rand());
  f.insert(f.end(), mask, mask + 4);
  for (size_t i = 0; i < length; ++i) f.push_back(payload[i] ^ mask[i % 4]);
  return hostnet::send_all(fd_, f.data(), f.size());
}

void WebSocketsClient::readFrames() {
  char buf[4096];
  for (;;) {
    const long got = hostnet::recv_some(fd_, buf, sizeof(buf), 0);
    if (got == 0) break;
    if (got < 0) {
      disconnect();
      return;
    }
    in_.append(buf, static_cast<size_t>(got));
  }
  for (;;) {
    if (in_.size() < 2) return;
    const uint8_t b0 = static_cast<uint8_t>(in_[0]);
    const uint8_t b1 = static_cast<uint8_t>(in_[1]);
    const bool fin = (b0 & 0x80) != 0;
    const uint8_t opcode = b0 & 0x0F;
    const bool masked = (b1 & 0x80) != 0;
    size_t head = 2;
    uint64_t len = b1 & 0x7F;
    if (len == 126) {
      if (in_.size() < 4) return;
      len = (uint64_t{static_cast<uint8_t>(in_[2])} << 8) | static_cast<uint8_t>(in_[3]);
      head = 4;
    } else if (len == 127) {
      if (in_.size() < 10) return;
      len = 0;
      for (int i = 2; i < 10; ++i) len = (len << 8) | static_cast<uint8_t>(in_[i]);
      head = 10;
    }
    if (len > kMaxPayload) {
      disconnect();
      return;
    }
    const size_t mask_at = head;
    if (masked) head += 4;
    if (in_.size() < head + len) return;
    // One spare byte: the library hands text payloads over NUL-terminated.
    std::vector<uint8_t> payload(static_cast<size_t>(len) + 1, 0);
    for (size_t i = 0; i < len; ++i) {
      payload[i] = static_cast<uint8_t>(in_[head + i]) ^ (masked ? static_cast<uint8_t>(in_[mask_at + i % 4]) : 0);
    }
    in_.erase(0, head + static_cast<size_t>(len));
    const size_t n = static_cast<size_t>(len);
    switch (opcode) {
      case 0x1:
        event(fin ? WStype_TEXT : WStype_FRAGMENT_TEXT_START, payload.data(), n);
        break;
      case 0x2:
        event(fin ? WStype_BIN : WStype_FRAGMENT_BIN_START, payload.data(), n);
        break;
      case 0x0:
        event(fin ? WStype_FRAGMENT_FIN : WStype_FRAGMENT, payload.data(), n);
        break;
      case 0x8:
        sendFrame(0x8, nullptr, 0);
        disconnect();
        return;
      case 0x9:
        sendFrame(0xA, payload.data(), n);
        event(WStype_PING, payload.data(), n);
        break;
      case 0xA:
        awaiting_pong_ = false;
        missed_ = 0;
        event(WStype_PONG, payload.data(), n);
        break;
      default:
        break;
    }
    if (fd_ < 0) return;
  }
}
