#include <doctest/doctest.h>

#include <string>

#include "link.h"
#include "wifi.h"

TEST_CASE("link: a socket that connects in time and keeps pushing means push, never a poll") {
  LinkMachine m(LinkTiming(), 0);
  CHECK(m.mode() == LinkMode::CONNECTING);
  for (uint32_t t = 0; t < 2000; t += 10) {
    m.onSocket(false, t);
    CHECK_FALSE(m.pollDue(t, 0));
  }
  m.onSocket(true, 2000);
  CHECK(m.mode() == LinkMode::PUSH);
  for (uint32_t t = 2000; t < 60000; t += 10) {
    m.onSocket(true, t);
    CHECK_FALSE(m.pollDue(t, t - t % 1000));  // a snapshot accepted every second
  }
}

TEST_CASE("link: no socket after the grace period falls back to polling at 1 Hz") {
  LinkMachine m(LinkTiming(), 0);
  m.onSocket(false, 2999);
  CHECK(m.mode() == LinkMode::CONNECTING);
  m.onSocket(false, 3000);
  CHECK(m.mode() == LinkMode::POLL);
  CHECK(m.pollDue(3000, 0));  // at once, not a second later
  int polls = 0;
  for (uint32_t t = 3000; t < 13000; t += 10) {
    m.onSocket(false, t);
    if (m.pollDue(t, 0)) {
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
  CHECK_FALSE(m.pollDue(7000, 5400));

  m.onSocket(false, 7000);
  CHECK(m.mode() == LinkMode::POLL);
  CHECK(m.pollDue(7000, 0));
  m.onPollStarted(7000);
  CHECK_FALSE(m.pollDue(7999, 0));
  CHECK(m.pollDue(8000, 0));
  m.onSocket(true, 8100);
  CHECK(m.mode() == LinkMode::PUSH);
  CHECK_FALSE(m.pollDue(9000, 8100));
  CHECK(std::string(LinkMachine::name(m.mode())) == "push");
}

TEST_CASE("link: a slow poll does not cause a burst of polls afterwards") {
  LinkMachine m(LinkTiming(), 0);
  m.onSocket(false, 3000);
  m.onPollStarted(3000);  // say this poll hangs 2 s on its timeout
  CHECK(m.pollDue(5000, 0));
  m.onPollStarted(5000);
  CHECK_FALSE(m.pollDue(5001, 0));
}

TEST_CASE("link: with the socket up, an idle server is asked over HTTP before the needles go stale") {
  LinkMachine m(LinkTiming(), 0);
  m.onSocket(true, 500);
  REQUIRE(m.mode() == LinkMode::PUSH);
  // Snapshots keep arriving: no poll, however long the socket lives.
  for (uint32_t t = 500; t < 60000; t += 10) {
    m.onSocket(true, t);
    CHECK_FALSE(m.pollDue(t, t - t % 2000));  // a frame every 2 s
  }
  // Then silence (pings only): a poll once the last accepted snapshot is 4 s old.
  const uint32_t last = 60000;
  CHECK_FALSE(m.pollDue(last + 3999, last));
  CHECK(m.pollDue(last + 4000, last));
  m.onPollStarted(last + 4000);
  // Its answer is refused (say, another contract version): the next try 4 s later, not at 1 Hz.
  CHECK_FALSE(m.pollDue(last + 7999, last));
  CHECK(m.pollDue(last + 8000, last));
  m.onPollStarted(last + 8000);
  // Accepted at 8.1 s: quiet again until that is 4 s old.
  CHECK_FALSE(m.pollDue(last + 12000, last + 8100));
  CHECK(m.pollDue(last + 12100, last + 8100));
  // A stamp taken a moment after `now` was read is not 49 days old.
  CHECK_FALSE(m.pollDue(last + 8000, last + 8001));
}

TEST_CASE("link: never polls while the socket still has its first chance") {
  LinkMachine m(LinkTiming(), 0);
  for (uint32_t t = 0; t < 3000; t += 10) {
    m.onSocket(false, t);
    CHECK_FALSE(m.pollDue(t, 0));
  }
}

TEST_CASE("link settings: a token that does not fit is refused, never cut") {
  CHECK(link_settings_problem("192.168.1.20", 8080, "") == nullptr);
  const std::string fits(LINK_TOKEN_MAX_CHARS, 'a');
  CHECK(link_settings_problem("h", 8080, fits.c_str()) == nullptr);
  const std::string longer(LINK_TOKEN_MAX_CHARS + 1, 'a');
  CHECK(std::string(link_settings_problem("h", 8080, longer.c_str())) == "token: longer than 160 characters");
  CHECK(std::string(link_settings_problem("h", 8080, "abc\r\nX-Evil: 1")) == "token: holds a character an HTTP header cannot carry");
  CHECK(std::string(link_settings_problem("h", 8080, "two words")) == "token: holds a character an HTTP header cannot carry");
  CHECK(std::string(link_settings_problem("h", 8080, "caf\xc3\xa9")) == "token: holds a character an HTTP header cannot carry");
  CHECK(link_settings_problem("h", 8080, "Az09-._~+/=") == nullptr);
  CHECK(std::string(link_settings_problem("", 8080, "")) == "host: empty");
  CHECK(std::string(link_settings_problem("h", 0, "")) == "port: 0");
}

TEST_CASE("wifi: association and DHCP are never cut short") {
  WifiSupervisor w(WIFI_RETRY_FIRST_MS, WIFI_RETRY_MAX_MS, 0);
  // WiFi.begin() at 0; a slow router answers DHCP after 4 s.
  for (uint32_t t = 0; t < 4000; t += 5) CHECK_FALSE(w.shouldReconnect(false, t));
  CHECK_FALSE(w.shouldReconnect(true, 4000));
  // Even a join that takes 19 s is left alone.
  WifiSupervisor slow(WIFI_RETRY_FIRST_MS, WIFI_RETRY_MAX_MS, 0);
  for (uint32_t t = 0; t < 19000; t += 5) CHECK_FALSE(slow.shouldReconnect(false, t));
}

TEST_CASE("wifi: after a drop the core's own reconnect gets 20 s, then backoff doubles to 2 min") {
  WifiSupervisor w(WIFI_RETRY_FIRST_MS, WIFI_RETRY_MAX_MS, 0);
  CHECK_FALSE(w.shouldReconnect(true, 100000));
  // Dropped right after 100 s: the core reconnects by itself; the firmware waits 20 s.
  CHECK_FALSE(w.shouldReconnect(false, 100001));
  CHECK_FALSE(w.shouldReconnect(false, 119999));
  CHECK(w.shouldReconnect(false, 120000));
  CHECK_FALSE(w.shouldReconnect(false, 159999));
  CHECK(w.shouldReconnect(false, 160000));  // 40 s later
  CHECK(w.shouldReconnect(false, 240000));  // 80 s
  CHECK(w.shouldReconnect(false, 360000));  // 120 s, the cap
  CHECK(w.delayMs() == WIFI_RETRY_MAX_MS);
  CHECK_FALSE(w.shouldReconnect(false, 479999));
  CHECK(w.shouldReconnect(false, 480000));
  // Back up: the next drop starts from 20 s again.
  CHECK_FALSE(w.shouldReconnect(true, 500000));
  CHECK(w.delayMs() == WIFI_RETRY_FIRST_MS);
  CHECK_FALSE(w.shouldReconnect(false, 519999));
  CHECK(w.shouldReconnect(false, 520000));
}
