// Force-included (-include) by run.sh's compile check: what arduino-esp32's Arduino.h adds on top
// of the host stand-in (String, Serial, FreeRTOS). Declarations only.
#pragma once

#include <Arduino.h>

#include <cstddef>
#include <cstdint>

class String {
 public:
  String(const char* s = "");
  String(const String& other);
  ~String();
  String& operator=(const String& other);
  const char* c_str() const;
  unsigned int length() const;
  friend String operator+(const String& a, const char* b);
  friend String operator+(const String& a, const String& b);
};

class HardwareSerial {
 public:
  void begin(unsigned long baud);
  size_t printf(const char* format, ...) __attribute__((format(printf, 2, 3)));
  size_t println(const char* s);
};
extern HardwareSerial Serial;

// FreeRTOS, as arduino-esp32 exposes it.
typedef void* SemaphoreHandle_t;
typedef void* TaskHandle_t;
typedef uint32_t TickType_t;
typedef int BaseType_t;
typedef unsigned int UBaseType_t;
typedef void (*TaskFunction_t)(void*);
#define portMAX_DELAY ((TickType_t)0xffffffffUL)
#define pdMS_TO_TICKS(ms) ((TickType_t)(ms))
SemaphoreHandle_t xSemaphoreCreateMutex();
BaseType_t xSemaphoreTake(SemaphoreHandle_t sem, TickType_t ticks);
BaseType_t xSemaphoreGive(SemaphoreHandle_t sem);
BaseType_t xTaskCreatePinnedToCore(TaskFunction_t fn, const char* name, uint32_t stack_depth, void* params,
                                   UBaseType_t priority, TaskHandle_t* handle, BaseType_t core_id);
void vTaskDelay(TickType_t ticks);
