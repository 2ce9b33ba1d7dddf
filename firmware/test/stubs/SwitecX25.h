// Host stand-in for clearwater/SwitecX25 (the commit pinned in platformio.ini): the same public
// members and methods. Behaviour is simplified where timing is concerned: update() moves exactly
// one step toward the target per call (the real one moves at most one, when its acceleration
// table says the step is due), so tests count calls instead of waiting for microseconds.
#pragma once

#include <Arduino.h>

class SwitecX25 {
 public:
  static const unsigned char pinCount = 4;
  static const unsigned char stateCount = 6;
  unsigned char pins[pinCount];
  unsigned char currentState;
  unsigned int currentStep;
  unsigned int targetStep;
  unsigned int steps;
  unsigned long time0;
  unsigned int microDelay;
  unsigned short (*accelTable)[2];
  unsigned int maxVel;
  unsigned int vel;
  signed char dir;
  boolean stopped;

  SwitecX25(unsigned int steps, unsigned char pin1, unsigned char pin2, unsigned char pin3, unsigned char pin4);

  void stepUp();
  void stepDown();
  void zero();
  void update();
  void updateBlocking();
  void setPosition(unsigned int pos);

 private:
  void writeIO();
};

// Test-side observation; not part of the library.
namespace stub {
extern unsigned int switec_highest_step;  // largest currentStep any motor reached since reset
}
