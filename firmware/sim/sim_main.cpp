// The gauge without the hardware: the real firmware (main.cpp's setup() and loop(), link_task.cpp,
// wifi.cpp, the cluster, the lamps, gauge.cpp on the real SwitecX25, the generated parser on the
// real ArduinoJson) built for this machine and talking to a claude-gauge server over real sockets.
// Only what needs an ESP32 is stood in for (firmware/host/esp32): WiFi is the host's network, the
// WebSocket and HTTP clients run on POSIX sockets, FreeRTOS tasks are threads.
//
//   firmware-sim --url ws://127.0.0.1:8080/ws [--token T] [--trace] [--seconds N]
//
// The simulated clock advances in 100 µs loop turns, paced to real time. Needles are read as motor
// steps (0..944) and lamps as their PWM duty, as a logic analyser on the pins would see them.
// --trace adds every target ("T name t_us step") and every step ("S name t_us step"), which
// test/firmware-sim.e2e.test.ts replays through the browser's needle model.
#include "../src/main.cpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

sim::Target sim::target{"127.0.0.1", 8080, ""};

namespace {

constexpr uint64_t kTickUs = 100;
// Needle lines at most this often while they move (µs of simulated time).
constexpr uint64_t kNeedleLineUs = 100000;
const char* const kNeedles[] = {"fuel_5h", "tach", "fuel_7d"};
const char* const kLamps[LAMP_COUNT] = {"OPUS", "SONNET", "HAIKU", "HOT", "WARN", "STALL", "IDLE"};

volatile sig_atomic_t s_stop = 0;

void on_signal(int) { s_stop = 1; }

int usage(const char* why) {
  fprintf(stderr, "firmware-sim: %s\nusage: firmware-sim --url ws://HOST:PORT/ws [--token T] [--trace] [--seconds N]\n", why);
  return 2;
}

/** host and port of ws://HOST:PORT/... or http://HOST:PORT/...; the firmware's paths are fixed. */
bool parse_url(const std::string& url, std::string& host, uint16_t& port) {
  size_t at = url.find("://");
  if (at == std::string::npos) return false;
  const std::string scheme = url.substr(0, at);
  if (scheme != "ws" && scheme != "http") return false;
  const std::string rest = url.substr(at + 3);
  const std::string authority = rest.substr(0, rest.find('/'));
  const size_t colon = authority.rfind(':');
  host = authority.substr(0, colon);
  const long p = colon == std::string::npos ? 80 : strtol(authority.c_str() + colon + 1, nullptr, 10);
  if (host.empty() || p <= 0 || p > 65535) return false;
  port = static_cast<uint16_t>(p);
  return true;
}

double seconds(uint64_t us) { return static_cast<double>(us) / 1e6; }

class Observer {
 public:
  explicit Observer(bool trace) : trace_(trace) {}

  void look(uint64_t now_us) {
    bool moved = false, moving = false, turned = false;
    for (size_t i = 0; i < 3; ++i) {
      if (s_gauges[i]->step() == step_[i]) continue;
      const int dir = s_gauges[i]->step() > step_[i] ? 1 : -1;
      turned = turned || dir == -dir_[i];
      dir_[i] = dir;
    }
    // A needle just turned: show where it turned, as it stood one loop turn ago.
    if (turned && !resting_shown_) line(last_us_, step_, true);
    for (size_t i = 0; i < 3; ++i) {
      const Gauge& g = *s_gauges[i];
      if (trace_ && g.target() != target_[i]) printf("T %s %llu %u\n", kNeedles[i], static_cast<unsigned long long>(now_us), g.target());
      if (trace_ && g.step() != step_[i]) printf("S %s %llu %u\n", kNeedles[i], static_cast<unsigned long long>(now_us), g.step());
      moved = moved || g.step() != shown_[i];
      moving = moving || g.moving();
      target_[i] = g.target();
      step_[i] = g.step();
    }
    last_us_ = now_us;
    // While they move: a line every 100 ms and at every turn; when they come to rest, the final one.
    if ((moved && (!moving || now_us - needle_line_us_ >= kNeedleLineUs)) || (!moving && !resting_shown_)) {
      line(now_us, step_, moving);
    }
    unsigned lit = 0;
    for (int ch = 0; ch < LAMP_COUNT; ++ch) lit |= host::channel_duty[ch] > 0 ? 1u << ch : 0;
    if (lit != lit_) {
      std::string line;
      for (int ch = 0; ch < LAMP_COUNT; ++ch) {
        const uint32_t duty = host::channel_duty[ch];
        if (duty == 0) continue;
        line += ' ';
        line += kLamps[ch];
        if (duty < LAMP_FULL) line += "~" + std::to_string(duty);  // mid-breath or dimmed
      }
      printf("lamps t=%.3f%s\n", seconds(now_us), line.empty() ? " (all dark)" : line.c_str());
      lit_ = lit;
    }
  }

 private:
  void line(uint64_t at_us, const unsigned (&steps)[3], bool moving) {
    printf("needles t=%.3f fuel_5h=%u tach=%u fuel_7d=%u%s\n", seconds(at_us), steps[0], steps[1], steps[2],
           moving ? "" : " (resting)");
    for (size_t i = 0; i < 3; ++i) shown_[i] = steps[i];
    needle_line_us_ = at_us;
    resting_shown_ = !moving;
  }

  bool trace_;
  unsigned target_[3] = {0, 0, 0};
  unsigned step_[3] = {0, 0, 0};
  unsigned shown_[3] = {0, 0, 0};
  int dir_[3] = {0, 0, 0};
  uint64_t needle_line_us_ = 0;
  bool resting_shown_ = true;
  uint64_t last_us_ = 0;
  unsigned lit_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::string url, token;
  bool trace = false;
  double run_s = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--url" && has_value) url = argv[++i];
    else if (a == "--token" && has_value) token = argv[++i];
    else if (a == "--seconds" && has_value) run_s = strtod(argv[++i], nullptr);
    else if (a == "--trace") trace = true;
    else return usage(("unknown argument " + a).c_str());
  }
  std::string host;
  if (url.empty()) return usage("--url is required");
  if (!parse_url(url, host, sim::target.port)) return usage("--url: expected ws://HOST:PORT/ws or http://HOST:PORT");
  sim::target.host = host.c_str();
  sim::target.token = token.c_str();

  setvbuf(stdout, nullptr, _IOLBF, 0);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  printf("sim: the gauge's firmware for %s:%u (WebSocket /ws, else GET /usage); needles in motor steps 0..944\n",
         sim::target.host, sim::target.port);

  host::reset();
  const auto start = std::chrono::steady_clock::now();
  setup();  // the zeroing runs here on the simulated clock; the loop then waits for real time
  Observer observer(trace);
  printf("sim: loop starts t_us=%llu tick_us=%llu\n", static_cast<unsigned long long>(host::now_micros()),
         static_cast<unsigned long long>(kTickUs));
  observer.look(host::now_micros());
  while (s_stop == 0) {
    const uint64_t real_us = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
    if (run_s > 0 && real_us >= static_cast<uint64_t>(run_s * 1e6)) break;
    while (host::now_micros() + kTickUs <= real_us) {
      host::advance_micros(kTickUs);
      loop();
      observer.look(host::now_micros());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  printf("sim: stopped at t_us=%llu\n", static_cast<unsigned long long>(host::now_micros()));
  fflush(stdout);
  // The network task is a detached thread in the middle of its loop: leave without destructors.
  _exit(0);
}
