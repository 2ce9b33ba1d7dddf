#include "gauge.h"

#include <Arduino.h>
#include <SwitecX25.h>

// The needle's acceleration, {steps since rest, µs until the next step}: SwitecX25's own five
// speeds, one step each instead of 20 to 150. The library brakes one row per step, so a needle at
// full speed whose target jumps behind it stops within 5 steps, where the library's own table
// carries it up to 300 steps on (docs/hardware.md, "Needle motion", has the measurements). The
// browser's needle model runs the same table (GAUGE_ACCEL_TABLE in packages/core/src/needle-motion.ts)
// and test/needle-differential.test.ts holds the two to the same step trace. Not const: SwitecX25
// points at a mutable table, though it never writes to it.
static unsigned short s_accel[][2] = {{1, 3000}, {2, 1500}, {3, 1000}, {4, 800}, {5, 600}};
static const unsigned kAccelRows = sizeof(s_accel) / sizeof(s_accel[0]);

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
  motor_->accelTable = s_accel;
  motor_->maxVel = s_accel[kAccelRows - 1][0];
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

void BootSweep::start() {
  target(GAUGE_SCALE);
  phase_ = Phase::UP;
}

bool BootSweep::running() {
  if (phase_ == Phase::UP && !anyMoving()) {
    target(0);
    phase_ = Phase::DOWN;
  } else if (phase_ == Phase::DOWN && !anyMoving()) {
    phase_ = Phase::DONE;
  }
  return phase_ == Phase::UP || phase_ == Phase::DOWN;
}

bool BootSweep::anyMoving() const {
  for (size_t i = 0; i < count_; ++i) {
    if (gauges_[i]->moving()) return true;
  }
  return false;
}

void BootSweep::target(int32_t pos) {
  for (size_t i = 0; i < count_; ++i) gauges_[i]->setPosition(pos);
}
