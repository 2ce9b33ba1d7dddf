#include "SwitecX25.h"

namespace stub {
unsigned int switec_highest_step = 0;
}

// Coil patterns of the X25/X27 partial-step sequence (pins 4..1 as bits 3..0).
static const unsigned char kStates[SwitecX25::stateCount] = {0x9, 0x1, 0x7, 0x6, 0xE, 0x8};

SwitecX25::SwitecX25(unsigned int steps_, unsigned char pin1, unsigned char pin2, unsigned char pin3,
                     unsigned char pin4)
    : pins{pin1, pin2, pin3, pin4},
      currentState(0),
      currentStep(0),
      targetStep(0),
      steps(steps_),
      time0(0),
      microDelay(0),
      accelTable(nullptr),
      maxVel(300),
      vel(0),
      dir(0),
      stopped(true) {
  for (unsigned char i = 0; i < pinCount; ++i) pinMode(pins[i], OUTPUT);  // as the real constructor does
}

void SwitecX25::writeIO() {
  unsigned char mask = kStates[currentState];
  for (unsigned char i = 0; i < pinCount; ++i) {
    digitalWrite(pins[i], mask & 0x1);
    mask >>= 1;
  }
}

void SwitecX25::stepUp() {
  if (currentStep < steps) {
    ++currentStep;
    currentState = (currentState + 1) % stateCount;
    writeIO();
    if (currentStep > stub::switec_highest_step) stub::switec_highest_step = currentStep;
  }
}

void SwitecX25::stepDown() {
  if (currentStep > 0) {
    --currentStep;
    currentState = (currentState + 5) % stateCount;
    writeIO();
  }
}

void SwitecX25::zero() {
  currentStep = steps - 1;
  for (unsigned int i = 0; i < steps; ++i) {
    stepDown();
    delayMicroseconds(800);
  }
  currentStep = 0;
  targetStep = 0;
  vel = 0;
  dir = 0;
}

void SwitecX25::update() {
  if (stopped) return;
  if (currentStep == targetStep) {
    stopped = true;
    dir = 0;
    return;
  }
  if (currentStep < targetStep) {
    dir = 1;
    stepUp();
  } else {
    dir = -1;
    stepDown();
  }
}

void SwitecX25::updateBlocking() {
  while (!stopped) update();
}

void SwitecX25::setPosition(unsigned int pos) {
  if (pos >= steps) pos = steps - 1;
  targetStep = pos;
  if (stopped) stopped = false;
}
