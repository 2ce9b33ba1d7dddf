#include "cluster.h"

Cluster::Cluster(uint32_t stale_ms, AnnunciatorTiming timing, uint32_t now_ms)
    : stale_ms_(stale_ms), annunciator_(timing), fresh_ms_(now_ms) {}

void Cluster::onSnapshot(const UsageContract& s, uint32_t at_ms) {
  snapshot_ = s;
  has_snapshot_ = true;
  fresh_ms_ = at_ms;
}

void Cluster::onConfirmed(uint32_t at_ms) {
  // Never moves back: a report copied a moment earlier may carry an older stamp.
  if (has_snapshot_ && static_cast<int32_t>(at_ms - fresh_ms_) > 0) fresh_ms_ = at_ms;
}

ClusterFrame Cluster::frame(uint32_t now_ms) {
  // Signed difference: another task may stamp fresh_ms_ a moment after now_ms was read.
  const int32_t age = static_cast<int32_t>(now_ms - fresh_ms_);
  ClusterFrame f;
  f.stale = age >= 0 && static_cast<uint32_t>(age) >= stale_ms_;
  const bool show = has_snapshot_ && !f.stale;
  if (show) {
    f.fuel_5h = snapshot_.fuel_5h_pos;
    f.tach = snapshot_.tach_pos;
    f.fuel_7d = snapshot_.fuel_7d_pos;
  }
  f.lamps = annunciator_.levels(show ? lamp_inputs_from(snapshot_) : LampInputs(), f.stale, now_ms);
  return f;
}
