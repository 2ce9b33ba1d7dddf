#include "cluster.h"

Cluster::Cluster(uint32_t link_lost_ms, AnnunciatorTiming timing, uint32_t now_ms)
    : link_lost_ms_(link_lost_ms), annunciator_(timing), alive_ms_(now_ms) {}

void Cluster::onSnapshot(const UsageContract& s, uint32_t at_ms) {
  snapshot_ = s;
  has_snapshot_ = true;
  onAlive(at_ms);
}

void Cluster::onAlive(uint32_t at_ms) { alive_ms_ = at_ms; }

ClusterFrame Cluster::frame(uint32_t now_ms) {
  // Signed difference: another task may stamp alive_ms_ a moment after now_ms was read.
  const int32_t silent = static_cast<int32_t>(now_ms - alive_ms_);
  ClusterFrame f;
  f.link_lost = silent >= 0 && static_cast<uint32_t>(silent) >= link_lost_ms_;
  const bool show = has_snapshot_ && !f.link_lost;
  if (show) {
    f.fuel_5h = snapshot_.fuel_5h_pos;
    f.tach = snapshot_.tach_pos;
    f.fuel_7d = snapshot_.fuel_7d_pos;
  }
  f.lamps = annunciator_.levels(show ? lamp_inputs_from(snapshot_) : LampInputs(), f.link_lost, now_ms);
  return f;
}
