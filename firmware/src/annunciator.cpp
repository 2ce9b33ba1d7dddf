#include "annunciator.h"

#include <Arduino.h>

LampInputs lamp_inputs_from(const UsageContract& s) {
  LampInputs in;
  in.model = s.last_model;
  in.hot = s.hot;
  in.warn = s.warn;
  in.stall = s.stall;
  in.idle = s.idle;
  in.limit_hit = s.limit_hit;
  return in;
}

Annunciator::Annunciator(AnnunciatorTiming timing) : timing_(timing) {}

bool Annunciator::flashOn(uint32_t since, uint32_t now) const {
  return (now - since) % timing_.flash_period_ms < timing_.flash_period_ms / 2;
}

uint8_t Annunciator::breathe(uint32_t since, uint32_t now) const {
  const uint32_t half = timing_.breathe_period_ms / 2;
  const uint32_t t = (now - since) % timing_.breathe_period_ms;
  const uint32_t ramp = t < half ? t : timing_.breathe_period_ms - t;  // 0..half and back
  const uint32_t linear = ramp * LAMP_FULL / half;
  // Squared, because the eye reads a linear PWM ramp as a quick jump then a long plateau.
  return static_cast<uint8_t>(linear * linear / LAMP_FULL);
}

LampLevels Annunciator::levels(const LampInputs& in, bool stale, uint32_t now_ms) {
  const bool hot = in.hot && !stale;
  const bool limit = in.limit_hit && !stale;
  const bool idle = in.idle && !stale;
  if (hot && !hot_) hot_since_ = now_ms;
  if (limit && !limit_) limit_since_ = now_ms;
  if (idle && !idle_) idle_since_ = now_ms;
  hot_ = hot;
  limit_ = limit;
  idle_ = idle;

  LampLevels out;
  if (stale) {
    out.level[LAMP_STALL] = LAMP_FULL;
    return out;
  }
  out.level[LAMP_OPUS] = in.model == UsageLastModel::OPUS ? LAMP_FULL : 0;
  out.level[LAMP_SONNET] = in.model == UsageLastModel::SONNET ? LAMP_FULL : 0;
  out.level[LAMP_HAIKU] = in.model == UsageLastModel::HAIKU ? LAMP_FULL : 0;
  out.level[LAMP_HOT] = hot && flashOn(hot_since_, now_ms) ? LAMP_FULL : 0;
  // A hit limit is WARN's loudest form: same lamp, flashing.
  const bool warn_lit = limit ? flashOn(limit_since_, now_ms) : in.warn;
  out.level[LAMP_WARN] = warn_lit ? LAMP_FULL : 0;
  out.level[LAMP_STALL] = in.stall ? LAMP_FULL : 0;
  out.level[LAMP_IDLE] = idle ? breathe(idle_since_, now_ms) : 0;
  return out;
}

LampDriver::LampDriver(const uint8_t (&pins)[LAMP_COUNT]) {
  for (int i = 0; i < LAMP_COUNT; ++i) {
    pins_[i] = pins[i];
    last_[i] = -1;
  }
}

void LampDriver::begin() {
  for (uint8_t ch = 0; ch < LAMP_COUNT; ++ch) {
    ledcSetup(ch, 5000, 8);  // 5 kHz: no visible flicker, 8 bits = LAMP_FULL steps
    ledcAttachPin(pins_[ch], ch);
    ledcWrite(ch, 0);
    last_[ch] = 0;
  }
}

void LampDriver::write(const LampLevels& levels) {
  for (uint8_t ch = 0; ch < LAMP_COUNT; ++ch) {
    if (levels.level[ch] == last_[ch]) continue;
    ledcWrite(ch, levels.level[ch]);
    last_[ch] = levels.level[ch];
  }
}
