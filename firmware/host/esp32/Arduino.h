// The ESP32 Arduino core as the simulator needs it: the host Arduino.h (simulated clock, pins,
// LEDC) plus String, Print/Stream, Serial and the FreeRTOS calls of link_task.cpp and main.cpp.
// Declarations follow arduino-esp32 2.0.17 (cores/esp32: WString.h, Print.h, Stream.h,
// HardwareSerial.h; FreeRTOS as the core exposes it); signatures.cpp holds them to that.
#pragma once

#include "../Arduino.h"

#include <stdarg.h>

#include <string>

class String {
 public:
  String(const char* s = "") : s_(s == nullptr ? "" : s) {}
  const char* c_str() const { return s_.c_str(); }
  unsigned int length() const { return static_cast<unsigned int>(s_.size()); }
  String& operator+=(const char* more) {
    s_ += more;
    return *this;
  }
  friend String operator+(const String& a, const char* b) { return String(a) += b; }

 private:
  std::string s_;
};

class Print {
 public:
  virtual ~Print() = default;
  virtual size_t write(uint8_t) = 0;
  virtual size_t write(const uint8_t* buffer, size_t size);
  int getWriteError() { return write_error_; }
  void clearWriteError() { write_error_ = 0; }

 protected:
  void setWriteError(int err = 1) { write_error_ = err; }

 private:
  int write_error_ = 0;
};

class Stream : public Print {
 public:
  virtual int available() = 0;
  virtual int read() = 0;
  virtual int peek() = 0;
};

/** Serial writes to the simulator's stdout, one printf at a time from any thread. */
class HardwareSerial : public Print {
 public:
  void begin(unsigned long baud);
  size_t write(uint8_t c) override;
  size_t printf(const char* format, ...) __attribute__((format(printf, 2, 3)));
  size_t println(const char* s);
};
extern HardwareSerial Serial;

// FreeRTOS: a mutex is a std::mutex, a task a thread, a tick a millisecond (of real time).
typedef void* SemaphoreHandle_t;
typedef void* TaskHandle_t;
typedef uint32_t TickType_t;
typedef int BaseType_t;
typedef unsigned int UBaseType_t;
typedef void (*TaskFunction_t)(void*);
#define portMAX_DELAY ((TickType_t)0xffffffffUL)
#define pdMS_TO_TICKS(ms) ((TickType_t)(ms))
#define pdPASS 1
SemaphoreHandle_t xSemaphoreCreateMutex();
BaseType_t xSemaphoreTake(SemaphoreHandle_t sem, TickType_t ticks);
BaseType_t xSemaphoreGive(SemaphoreHandle_t sem);
BaseType_t xTaskCreatePinnedToCore(TaskFunction_t fn, const char* name, const uint32_t stack_depth, void* params,
                                   UBaseType_t priority, TaskHandle_t* handle, const BaseType_t core_id);
void vTaskDelay(const TickType_t ticks);
