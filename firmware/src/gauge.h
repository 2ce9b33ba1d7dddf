// One Switec X27.168 needle, driven by the unmodified SwitecX25 library with a shorter acceleration
// table (gauge.cpp). Mapping is plain integer math; the motor driver is only created in begin(),
// from setup(), because SwitecX25 touches the pins in its constructor.
#pragma once

#include <stddef.h>
#include <stdint.h>

class SwitecX25;

/** X27.168: 315° of travel at 1/3° per partial step (steps). */
constexpr unsigned GAUGE_STEPS = 315 * 3;
/** Needle positions in the /usage contract run 0..GAUGE_SCALE. */
constexpr int32_t GAUGE_SCALE = 1000;
/** Motor step for a contract position: 0..1000 → 0..944, rounded, clamped outside that range. */
unsigned gauge_step_for(int32_t pos);

class Gauge {
 public:
  /** Stores the coil pins (X27.168 pins 1..4); touches no hardware. */
  explicit Gauge(const uint8_t (&pins)[4]);
  ~Gauge();
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  /** Creates the driver, sets the pins as outputs and drives the needle against its zero stop (blocks ~0.8 s). */
  void begin();
  /** Target in contract units (0..1000); cheap to call every loop, the motor only hears changes. */
  void setPosition(int32_t pos);
  /** Moves at most one step; call as often as possible. */
  void update();
  bool moving() const;
  /** Current motor step (0..944, 945 for one step when a move ends on the far stop), 0 before begin(). */
  unsigned step() const;
  /** The step it is heading for (0..944). */
  unsigned target() const { return target_; }

 private:
  uint8_t pins_[4];
  SwitecX25* motor_ = nullptr;
  unsigned target_ = 0;
};

/**
 * The power-on sweep: every needle to full scale together, then back to zero, as a car's cluster
 * does. It never blocks: loop() keeps calling update() on the gauges and running() on this.
 */
class BootSweep {
 public:
  BootSweep(Gauge* const* gauges, size_t count) : gauges_(gauges), count_(count) {}
  /** Sends every needle to full scale. */
  void start();
  /** Call after the gauges' update(): true while the sweep still owns the needles. */
  bool running();

 private:
  enum class Phase : uint8_t { IDLE, UP, DOWN, DONE };
  bool anyMoving() const;
  void target(int32_t pos);

  Gauge* const* gauges_;
  size_t count_;
  Phase phase_ = Phase::IDLE;
};
