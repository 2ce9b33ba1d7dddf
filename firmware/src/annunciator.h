// The lamp row: OPUS SONNET HAIKU HOT WARN STALL IDLE. Annunciator turns lamp states and the clock
// into brightness levels (pure, host-tested); LampDriver writes them to the LEDs with LEDC PWM.
#pragma once

#include <stdint.h>

#include "usage_contract.h"

enum Lamp : uint8_t { LAMP_OPUS, LAMP_SONNET, LAMP_HAIKU, LAMP_HOT, LAMP_WARN, LAMP_STALL, LAMP_IDLE, LAMP_COUNT };

/** Full brightness (8-bit PWM duty). */
constexpr uint8_t LAMP_FULL = 255;

struct LampInputs {
  UsageLastModel model = UsageLastModel::NONE;
  bool hot = false;
  bool warn = false;
  bool stall = false;
  bool idle = false;
  bool limit_hit = false;
};

struct LampLevels {
  uint8_t level[LAMP_COUNT] = {};
};

struct AnnunciatorTiming {
  /** HOT (and WARN once the limit is hit) flash: on for half of this period (ms); 500 = 2 Hz. */
  uint32_t flash_period_ms = 500;
  /** IDLE breathes dark → full → dark once per period (ms). */
  uint32_t breathe_period_ms = 4000;
};

/** The lamp inputs a snapshot asks for. */
LampInputs lamp_inputs_from(const UsageContract& s);

class Annunciator {
 public:
  explicit Annunciator(AnnunciatorTiming timing = AnnunciatorTiming());

  /**
   * Brightness of every lamp at now_ms. When the data is stale (no snapshot accepted for the
   * cluster's stale time) only STALL is lit: the needles are at zero then and nothing else on the
   * panel can be trusted. Flashing and breathing start from the
   * moment their lamp turns on, so a new HOT is lit at once instead of in mid-cycle.
   */
  LampLevels levels(const LampInputs& in, bool stale, uint32_t now_ms);

 private:
  bool flashOn(uint32_t since, uint32_t now) const;
  uint8_t breathe(uint32_t since, uint32_t now) const;

  AnnunciatorTiming timing_;
  bool hot_ = false;
  bool limit_ = false;
  bool idle_ = false;
  uint32_t hot_since_ = 0;
  uint32_t limit_since_ = 0;
  uint32_t idle_since_ = 0;
};

/** Writes levels to 7 LEDs through LEDC channels 0..6 (ESP32 Arduino core 2.0.x API). */
class LampDriver {
 public:
  explicit LampDriver(const uint8_t (&pins)[LAMP_COUNT]);
  void begin();
  /** Only changed levels reach the hardware. */
  void write(const LampLevels& levels);

 private:
  uint8_t pins_[LAMP_COUNT];
  int16_t last_[LAMP_COUNT];
};
