#include "link.h"

LinkMachine::LinkMachine(LinkTiming timing, uint32_t now_ms) : timing_(timing), since_ms_(now_ms) {}

void LinkMachine::onSocket(bool connected, uint32_t now_ms) {
  switch (mode_) {
    case LinkMode::CONNECTING:
      if (connected) {
        mode_ = LinkMode::PUSH;
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
      if (connected) mode_ = LinkMode::PUSH;
      break;
  }
}

bool LinkMachine::pollDue(uint32_t now_ms) const {
  if (mode_ != LinkMode::POLL) return false;
  return !polled_ || now_ms - last_poll_ms_ >= timing_.poll_interval_ms;
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
