#include <doctest/doctest.h>

#include <string>

#include "link.h"
#include "wifi.h"

TEST_CASE("link: a socket that connects in time means push, never a poll") {
  LinkMachine m(LinkTiming(), 0);
  CHECK(m.mode() == LinkMode::CONNECTING);
  for (uint32_t t = 0; t < 2000; t += 10) {
    m.onSocket(false, t);
    CHECK_FALSE(m.pollDue(t));
  }
  m.onSocket(true, 2000);
  CHECK(m.mode() == LinkMode::PUSH);
  for (uint32_t t = 2000; t < 60000; t += 10) {
    m.onSocket(true, t);
    CHECK_FALSE(m.pollDue(t));
  }
}

TEST_CASE("link: no socket after the grace period falls back to polling at 1 Hz") {
  LinkMachine m(LinkTiming(), 0);
  m.onSocket(false, 2999);
  CHECK(m.mode() == LinkMode::CONNECTING);
  m.onSocket(false, 3000);
  CHECK(m.mode() == LinkMode::POLL);
  CHECK(m.pollDue(3000));  // at once, not a second later
  int polls = 0;
  for (uint32_t t = 3000; t < 13000; t += 10) {
    m.onSocket(false, t);
    if (m.pollDue(t)) {
      m.onPollStarted(t);
      ++polls;
    }
  }
  CHECK(polls == 10);
}

TEST_CASE("link: polling stops when the socket returns, and resumes at once when it drops") {
  LinkMachine m(LinkTiming(), 0);
  m.onSocket(false, 5000);
  REQUIRE(m.mode() == LinkMode::POLL);
  m.onPollStarted(5000);
  m.onSocket(true, 5400);
  CHECK(m.mode() == LinkMode::PUSH);
  CHECK_FALSE(m.pollDue(7000));

  m.onSocket(false, 7000);
  CHECK(m.mode() == LinkMode::POLL);
  CHECK(m.pollDue(7000));
  m.onPollStarted(7000);
  CHECK_FALSE(m.pollDue(7999));
  CHECK(m.pollDue(8000));
  m.onSocket(true, 8100);
  CHECK(m.mode() == LinkMode::PUSH);
  CHECK_FALSE(m.pollDue(9000));
  CHECK(std::string(LinkMachine::name(m.mode())) == "push");
}

TEST_CASE("link: a slow poll does not cause a burst of polls afterwards") {
  LinkMachine m(LinkTiming(), 0);
  m.onSocket(false, 3000);
  m.onPollStarted(3000);  // say this poll hangs 2 s on its timeout
  CHECK(m.pollDue(5000));
  m.onPollStarted(5000);
  CHECK_FALSE(m.pollDue(5001));
}

TEST_CASE("wifi: reconnect backoff doubles to a cap and resets once connected") {
  WifiSupervisor w(1000, 30000, 0);
  CHECK_FALSE(w.shouldReconnect(false, 999));
  CHECK(w.shouldReconnect(false, 1000));
  CHECK_FALSE(w.shouldReconnect(false, 2999));
  CHECK(w.shouldReconnect(false, 3000));  // waited 2 s
  CHECK(w.shouldReconnect(false, 7000));  // then 4 s
  CHECK(w.shouldReconnect(false, 15000));
  CHECK(w.shouldReconnect(false, 31000));
  CHECK(w.delayMs() == 30000);
  CHECK_FALSE(w.shouldReconnect(false, 60999));
  CHECK(w.shouldReconnect(false, 61000));  // capped at 30 s
  CHECK_FALSE(w.shouldReconnect(true, 62000));
  CHECK(w.delayMs() == 1000);
  CHECK(w.shouldReconnect(false, 63000));
}
