#include "link.h"

#include <string.h>

LinkMachine::LinkMachine(LinkTiming timing, uint32_t now_ms) : timing_(timing), since_ms_(now_ms) {}

void LinkMachine::onSocket(bool connected, uint32_t now_ms) {
  switch (mode_) {
    case LinkMode::CONNECTING:
      if (connected) {
        mode_ = LinkMode::PUSH;
        polled_ = false;
      } else if (now_ms - since_ms_ >= timing_.ws_grace_ms) {
        mode_ = LinkMode::POLL;
        polled_ = false;
      }
      break;
    case LinkMode::PUSH:
      if (!connected) {
        mode_ = LinkMode::POLL;
        polled_ = false;  // poll straight away: the needles should not wait for a second
      }
      break;
    case LinkMode::POLL:
      if (connected) {
        mode_ = LinkMode::PUSH;
        polled_ = false;
      }
      break;
  }
}

bool LinkMachine::pollDue(uint32_t now_ms, uint32_t accepted_ms) const {
  switch (mode_) {
    case LinkMode::CONNECTING:
      return false;
    case LinkMode::POLL:
      return !polled_ || now_ms - last_poll_ms_ >= timing_.poll_interval_ms;
    case LinkMode::PUSH:
      // Signed: the network task may stamp accepted_ms a moment after now_ms was read.
      if (static_cast<int32_t>(now_ms - accepted_ms) < static_cast<int32_t>(timing_.refresh_ms)) return false;
      return !polled_ || now_ms - last_poll_ms_ >= timing_.refresh_ms;
  }
  return false;
}

void LinkMachine::onPollStarted(uint32_t now_ms) {
  polled_ = true;
  last_poll_ms_ = now_ms;
}

const char* LinkMachine::name(LinkMode m) {
  switch (m) {
    case LinkMode::CONNECTING: return "connecting";
    case LinkMode::PUSH: return "push";
    case LinkMode::POLL: return "poll";
  }
  return "?";
}

static_assert(LINK_TOKEN_MAX_CHARS == 160, "the message below quotes the limit");

const char* link_settings_problem(const char* host, uint16_t port, const char* token) {
  if (host == nullptr || host[0] == '\0') return "host: empty";
  if (port == 0) return "port: 0";
  if (token == nullptr) return "token: missing (use \"\" for a server without one)";
  if (strlen(token) > LINK_TOKEN_MAX_CHARS) return "token: longer than 160 characters";
  for (const char* p = token; *p != '\0'; ++p) {
    // Visible ASCII only: a space, CR or LF would end or split the Authorization header.
    if (*p < 0x21 || *p > 0x7E) return "token: holds a character an HTTP header cannot carry";
  }
  return nullptr;
}
