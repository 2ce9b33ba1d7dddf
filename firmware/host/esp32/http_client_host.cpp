#include <HTTPClient.h>
#include <strings.h>

#include <cstdlib>

#include "net_host.h"

HTTPClient::HTTPClient() = default;

HTTPClient::~HTTPClient() { end(); }

bool HTTPClient::begin(WiFiClient&, String host, uint16_t port, String uri, bool https) {
  if (https) return false;  // the gauge speaks plain HTTP on the LAN
  host_ = host.c_str();
  port_ = port;
  uri_ = uri.c_str();
  return true;
}

void HTTPClient::end(void) { hostnet::close_fd(fd_); }

void HTTPClient::setConnectTimeout(int32_t connectTimeout) { connect_timeout_ms_ = connectTimeout; }

void HTTPClient::setTimeout(uint16_t timeout) { timeout_ms_ = timeout; }

void HTTPClient::addHeader(const String& name, const String& value, bool first, bool) {
  const std::string line = std::string(name.c_str()) + ": " + value.c_str() + "\r\n";
  headers_ = first ? line + headers_ : headers_ + line;
}

void HTTPClient::collectHeaders(const char* headerKeys[], const size_t headerKeysCount) {
  collected_.clear();
  for (size_t i = 0; i < headerKeysCount; ++i) collected_.emplace_back(headerKeys[i], "");
}

String HTTPClient::header(const char* name) {
  for (const auto& kv : collected_) {
    if (strcasecmp(kv.first.c_str(), name) == 0) return String(kv.second.c_str());
  }
  return String();
}

int HTTPClient::getSize(void) { return size_; }

long HTTPClient::readSome(char* buf, size_t n) {
  const long r = hostnet::recv_some(fd_, buf, n, timeout_ms_);
  return r == 0 ? -2 : r;  // -2: timed out
}

bool HTTPClient::readLine(std::string& line) {
  line.clear();
  char c;
  for (;;) {
    if (readSome(&c, 1) != 1) return false;
    if (c == '\n') break;
    if (c != '\r') line += c;
  }
  return true;
}

int HTTPClient::GET() {
  size_ = -1;
  chunked_ = false;
  fd_ = hostnet::connect_tcp(host_.c_str(), port_, static_cast<uint32_t>(connect_timeout_ms_));
  if (fd_ < 0) return HTTPC_ERROR_CONNECTION_REFUSED;
  std::string request = "GET " + uri_ + " HTTP/1.1\r\nHost: " + host_ + (port_ != 80 ? ":" + std::to_string(port_) : "") +
                        "\r\nUser-Agent: ESP32HTTPClient\r\nConnection: keep-alive\r\n"
                        "Accept-Encoding: identity;q=1,chunked;q=0.1,*;q=0\r\n" +
                        headers_ + "\r\n";
  if (!hostnet::send_all(fd_, request.data(), request.size())) return HTTPC_ERROR_SEND_HEADER_FAILED;

  int code = 0;
  std::string line, encoding;
  for (bool first = true;; first = false) {
    if (!readLine(line)) return code == 0 && first ? HTTPC_ERROR_READ_TIMEOUT : HTTPC_ERROR_CONNECTION_LOST;
    if (line.empty()) break;
    if (first) {
      if (line.compare(0, 7, "HTTP/1.") != 0 || line.size() < 12) return HTTPC_ERROR_NO_HTTP_SERVER;
      code = atoi(line.c_str() + 9);
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string name = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (strcasecmp(name.c_str(), "Content-Length") == 0) size_ = atoi(value.c_str());
    if (strcasecmp(name.c_str(), "Transfer-Encoding") == 0) encoding = value;
    for (auto& kv : collected_) {
      if (strcasecmp(kv.first.c_str(), name.c_str()) == 0) kv.second = value;
    }
  }
  if (!encoding.empty()) {
    if (strcasecmp(encoding.c_str(), "chunked") != 0) return HTTPC_ERROR_ENCODING;
    chunked_ = true;
  }
  return code == 0 ? HTTPC_ERROR_NO_HTTP_SERVER : code;
}

int HTTPClient::writeToStream(Stream* stream) {
  if (stream == nullptr) return HTTPC_ERROR_NO_STREAM;
  if (fd_ < 0) return HTTPC_ERROR_NOT_CONNECTED;
  int written = 0;
  char buf[1460];  // HTTP_TCP_BUFFER_SIZE
  // Copies `len` bytes (or, with -1, all until the server closes) into the stream.
  auto block = [&](long len) -> int {
    while (len != 0) {
      const size_t want = len < 0 || static_cast<size_t>(len) > sizeof(buf) ? sizeof(buf) : static_cast<size_t>(len);
      const long got = readSome(buf, want);
      if (got == -2) return HTTPC_ERROR_READ_TIMEOUT;
      if (got < 0) return len < 0 ? 0 : HTTPC_ERROR_CONNECTION_LOST;
      const size_t put = stream->write(reinterpret_cast<const uint8_t*>(buf), static_cast<size_t>(got));
      if (put != static_cast<size_t>(got) || stream->getWriteError() != 0) return HTTPC_ERROR_STREAM_WRITE;
      written += static_cast<int>(got);
      if (len > 0) len -= got;
    }
    return 0;
  };
  int rc = 0;
  if (!chunked_) {
    rc = block(size_);
  } else {
    std::string line;
    for (;;) {
      if (!readLine(line)) return HTTPC_ERROR_READ_TIMEOUT;
      const long chunk = strtol(line.c_str(), nullptr, 16);
      if (chunk <= 0) break;
      if ((rc = block(chunk)) != 0) break;
      if (!readLine(line)) return HTTPC_ERROR_READ_TIMEOUT;  // the CRLF after each chunk
    }
  }
  end();
  return rc != 0 ? rc : written;
}

String HTTPClient::errorToString(int error) {
  switch (error) {
    case HTTPC_ERROR_CONNECTION_REFUSED: return "connection refused";
    case HTTPC_ERROR_SEND_HEADER_FAILED: return "send header failed";
    case HTTPC_ERROR_SEND_PAYLOAD_FAILED: return "send payload failed";
    case HTTPC_ERROR_NOT_CONNECTED: return "not connected";
    case HTTPC_ERROR_CONNECTION_LOST: return "connection lost";
    case HTTPC_ERROR_NO_STREAM: return "no stream";
    case HTTPC_ERROR_NO_HTTP_SERVER: return "no HTTP server";
    case HTTPC_ERROR_TOO_LESS_RAM: return "too less ram";
    case HTTPC_ERROR_ENCODING: return "Transfer-Encoding not supported";
    case HTTPC_ERROR_STREAM_WRITE: return "Stream write error";
    case HTTPC_ERROR_READ_TIMEOUT: return "read Timeout";
    default: return String();
  }
}
