#include "gauge.h"

#include <Arduino.h>
#include <SwitecX25.h>

unsigned gauge_step_for(int32_t pos) {
  if (pos <= 0) return 0;
  if (pos >= GAUGE_SCALE) return GAUGE_STEPS - 1;
  // Round to the nearest step; the product stays below 2^31 for pos <= 1000.
  return static_cast<unsigned>((pos * static_cast<int32_t>(GAUGE_STEPS - 1) + GAUGE_SCALE / 2) / GAUGE_SCALE);
}

Gauge::Gauge(const uint8_t (&pins)[4]) : pins_{pins[0], pins[1], pins[2], pins[3]} {}

Gauge::~Gauge() { delete motor_; }

void Gauge::begin() {
  if (motor_ == nullptr) motor_ = new SwitecX25(GAUGE_STEPS, pins_[0], pins_[1], pins_[2], pins_[3]);
  // Again, in case the board ignored the constructor's pinMode (reported on some ESP32 boards).
  for (uint8_t pin : pins_) pinMode(pin, OUTPUT);
  motor_->zero();
  target_ = 0;
}

void Gauge::setPosition(int32_t pos) {
  const unsigned step = gauge_step_for(pos);
  if (motor_ == nullptr || step == target_) return;
  target_ = step;
  motor_->setPosition(step);
}

void Gauge::update() {
  if (motor_ != nullptr) motor_->update();
}

bool Gauge::moving() const { return motor_ != nullptr && !motor_->stopped; }

unsigned Gauge::step() const { return motor_ == nullptr ? 0 : motor_->currentStep; }

static void runUntilStopped(Gauge* const* gauges, size_t count) {
  for (bool any = true; any;) {
    any = false;
    for (size_t i = 0; i < count; ++i) {
      gauges[i]->update();
      any = any || gauges[i]->moving();
    }
  }
}

void gauge_sweep(Gauge* const* gauges, size_t count) {
  for (size_t i = 0; i < count; ++i) gauges[i]->setPosition(GAUGE_SCALE);
  runUntilStopped(gauges, count);
  for (size_t i = 0; i < count; ++i) gauges[i]->setPosition(0);
  runUntilStopped(gauges, count);
}
