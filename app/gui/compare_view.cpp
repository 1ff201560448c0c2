// CompareSession and CompareView: see compare_view.h.
#include "app/gui/compare_view.h"

#include "app/report/compare_report.h"
#include "sim/sizeclass_library.h"
#include "traces/config_json.h"
#include "traces/json_io.h"

#include <imgui.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

namespace gui {

namespace {

constexpr size_t kCheckpointBudget = size_t{512} << 20; // all engines' World copies together

} // namespace

std::vector<ClassBucket> classBuckets(const sim::SizeClassTable& t, const sim::SizeHistogram& h) {
  std::vector<ClassBucket> out;
  uint32_t prev = 0;
  for (uint32_t c = 1; c < t.numClasses(); ++c) {
    ClassBucket b;
    b.lo = prev + 1;
    b.hi = t.cls(c).size;
    for (uint64_t s = b.lo; s <= b.hi && s < h.count.size(); ++s) {
      const uint64_t n = h.count[s];
      b.requests += n;
      b.requestedBytes += n * s;
      b.roundingBytes += n * (b.hi - s);
    }
    out.push_back(b);
    prev = b.hi;
  }
  return out;
}

sim::SizeHistogram requestHistogram(const traces::Trace& t, uint32_t maxSmall) {
  sim::SizeHistogram h;
  h.count.assign(size_t{maxSmall} + 1, 0);
  for (const sim::Event& e : t.events)
    if (e.kind == sim::EventKind::Alloc && e.size >= 1 && e.size <= maxSmall) h.count[e.size]++;
  return h;
}

// [SECTION] CompareSession

CompareSession::Engine::Engine(std::string n, sim::World w, const std::vector<sim::Event>& events, uint64_t every,
                               size_t budget)
    : name(std::move(n)), source(events),
      replay(std::move(w), source, sim::CheckpointPolicy::spread(events.size(), budget)), seriesEvery(every) {
  tallies.emplace_back(0, Tally{}); // the replay's checkpoint at the start
  replay.addObserver(this);
}

void CompareSession::Engine::onStep(const sim::World& w, const sim::Event&, const sim::StepRecord& r) {
  tally.count(w);
  // After event k (0-based) with k a multiple of seriesEvery, as sim::Comparison samples.
  if (firstPass && r.index % seriesEvery == 0) series.push_back(w.heapInuseBytes());
}

void CompareSession::Engine::onRestore(uint64_t position) {
  auto it = std::lower_bound(tallies.begin(), tallies.end(), position,
                             [](const std::pair<uint64_t, Tally>& x, uint64_t v) { return x.first < v; });
  tally = it->second; // a tally was kept at every checkpoint
}

void CompareSession::Engine::seek(uint64_t target) {
  // Simulated out of memory (or an event this table cannot take): this engine stops there, as the
  // CLI's does, and the others go on.
  if (!replay.seek(target) && replay.error() && tally.error.empty())
    tally.error = replay.error()->why.empty() ? "stopped" : replay.error()->why;
}

CompareSession::CompareSession(const Session& session, std::vector<CompareTable> tables, size_t seriesPoints)
    : session_(session) {
  const uint64_t n = session.eventCount();
  // sim::Comparison's sampling at the end of the trace: the smallest power of two that keeps the
  // series within seriesPoints (so exports at the end equal the CLI's, chart included).
  while ((n + every_ - 1) / every_ > std::max<size_t>(seriesPoints, 2)) every_ *= 2;
  const size_t budget = kCheckpointBudget / std::max<size_t>(tables.size(), 1);
  for (CompareTable& t : tables) {
    engines_.push_back(std::make_unique<Engine>(
        t.name, sim::World(report::configForTable(session.world().config(), std::move(t.table))), session.trace().events, every_,
        budget));
  }
  histogram_ = requestHistogram(session.trace());
  for (const sim::Event& e : session.trace().events)
    if (e.kind == sim::EventKind::Alloc && e.size > 32768) ++largeRequests_;
  // The first pass: each engine over the whole trace, keeping checkpoints, then back to the start.
  // Engines share nothing but the (read-only) trace, so they run on up to hardware_concurrency()
  // threads; the result does not depend on how many.
  auto firstPass = [&](Engine& e) {
    e.seek(n);
    e.firstPass = false;
    e.replay.seek(0); // restores the tally of the start too
  };
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < engines_.size();) firstPass(*engines_[k]);
  };
  const size_t threads = std::min<size_t>(engines_.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
}

void CompareSession::seek(uint64_t target) {
  target = std::min(target, eventCount());
  if (target == pos_) return;
  for (auto& e : engines_) e->seek(target);
  pos_ = target;
}

std::vector<sim::ComparisonFigures> CompareSession::figures() const {
  std::vector<sim::ComparisonFigures> out;
  for (const auto& e : engines_) {
    sim::ComparisonFigures f;
    f.name = e->name;
    e->tally.fill(f);
    f.error = e->tally.error;
    f.atEnd = e->replay.world().ledger();
    f.numClasses = e->replay.world().table().numClasses() - 1;
    for (size_t i = 0; i < e->series.size() && i * every_ < pos_; ++i) f.heapInuseSeries.push_back(e->series[i]);
    out.push_back(std::move(f));
  }
  return out;
}

// [SECTION] CompareView: choice, building, exports

void CompareView::request(std::vector<std::string> specs) {
  specs_ = std::move(specs);
  added_.clear();
  dirty_ = built_ = openRequest_ = true;
}

void CompareView::addTable(CompareTable t) {
  std::erase_if(added_, [&](const CompareTable& x) { return x.name == t.name; });
  added_.push_back(std::move(t));
  dirty_ = built_ = openRequest_ = true;
}

bool CompareView::takeOpenRequest() {
  const bool r = openRequest_;
  openRequest_ = false;
  return r;
}

void CompareView::follow(const Session* s) {
  if (s == nullptr) {
    cmp_.reset();
    builtFor_ = nullptr;
    return;
  }
  if (built_ && (dirty_ || s != builtFor_)) rebuild(*s);
  if (cmp_) cmp_->seek(s->position());
}

void CompareView::rebuild(const Session& s) {
  cmp_.reset();
  dirty_ = false;
  builtFor_ = &s;
  std::vector<CompareTable> tables;
  std::string problems;
  for (const std::string& spec : specs_) {
    std::string err;
    auto t = traces::resolveSizeClassTable(spec, "", &err);
    if (!t) {
      problems += (problems.empty() ? "" : "; ") + spec + ": " + err;
      continue;
    }
    tables.push_back(CompareTable{spec, std::move(*t)});
  }
  for (const CompareTable& t : added_) tables.push_back(t);
  if (tables.size() > 32) tables.resize(32); // as the CLI: at most 32 tables at once
  if (!tables.empty()) cmp_ = std::make_unique<CompareSession>(s, std::move(tables));
  status_ = problems.empty() ? "" : "Skipped " + problems;
}

std::string CompareView::defaultExportPath(ExportKind kind) const {
  const char* ext = kind == ExportKind::Markdown ? ".md" : kind == ExportKind::Csv ? ".csv" : ".png";
  namespace fs = std::filesystem;
  std::error_code ec;
  if (cmp_ && fs::is_regular_file(cmp_->session().path(), ec)) {
    fs::path p(cmp_->session().path());
    return (p.parent_path() / (p.stem().string() + "-compare" + ext)).string();
  }
  return std::string("spanscope-compare") + ext;
}

bool CompareView::exportTo(ExportKind kind, const std::string& path, std::string* error) const {
  if (!cmp_) {
    if (error) *error = "no comparison to export";
    return false;
  }
  const std::vector<sim::ComparisonFigures> figs = cmp_->figures();
  const std::string& trace = cmp_->session().path();
  if (kind == ExportKind::Png) return report::writeChartPng(report::compareChart(trace, figs), path, error);
  const std::string text = kind == ExportKind::Markdown ? report::compareMarkdown(trace, figs) : report::compareCsv(figs);
  return traces::writeFileAtomic(path, text, error);
}

void CompareView::exportNow(ExportKind kind, const std::string& path) {
  const std::string to = path.empty() ? defaultExportPath(kind) : path;
  std::string err;
  if (exportTo(kind, to, &err)) {
    status_ = "Wrote " + to;
    if (cmp_ && cmp_->position() < cmp_->eventCount())
      status_ += " (figures at event " + std::to_string(cmp_->position()) + " of " + std::to_string(cmp_->eventCount()) + ")";
  } else {
    status_ = "Export failed: " + err;
  }
}

// [SECTION] Windows: the "Compare tables" dialog and the designer

void CompareView::drawWindows(const Session* s) {
  drawDialog();
  CompareTable add;
  const sim::SizeHistogram* h = cmp_ ? &cmp_->histogram() : nullptr;
  if (h == nullptr && s != nullptr && designer_.open) {
    // No comparison yet: the designer still optimises for the loaded trace (histogram kept per session).
    if (histogramFor_ != s) histogram_ = requestHistogram(s->trace()), histogramFor_ = s;
    h = &histogram_;
  }
  if (designer_.open && designer_.draw(h, &add)) addTable(std::move(add));
}

void CompareView::drawDialog() {
  if (!dialogOpen_) return;
  const auto& lib = sim::sizeClassLibrary();
  if (dialogChecked_.size() != lib.size()) {
    dialogChecked_.assign(lib.size(), 0);
    for (size_t i = 0; i < lib.size(); ++i)
      dialogChecked_[i] = std::find(specs_.begin(), specs_.end(), lib[i].name) != specs_.end();
  }
  dialogAddedChecked_.resize(added_.size(), 1);
  ImGui::SetNextWindowSize(ImVec2(620, 0), ImGuiCond_Appearing);
  if (!ImGui::Begin("Compare tables###comparedialog", &dialogOpen_, ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::End();
    return;
  }
  ImGui::TextWrapped("Replay the loaded trace under each chosen size-class table, all following the main cursor.");
  ImGui::Separator();
  ImGui::TextUnformatted("Library");
  for (size_t i = 0; i < lib.size(); ++i) {
    bool on = dialogChecked_[i] != 0;
    if (ImGui::Checkbox(lib[i].name, &on)) dialogChecked_[i] = on;
    ImGui::SameLine(180);
    ImGui::TextDisabled("%s", lib[i].title);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", lib[i].source);
  }
  std::vector<std::string> files;
  for (const std::string& sp : specs_)
    if (std::none_of(lib.begin(), lib.end(), [&](const sim::LibraryEntry& e) { return sp == e.name; })) files.push_back(sp);
  ImGui::Separator();
  ImGui::TextUnformatted("Table files (JSON) and glibc16:MAX");
  for (const std::string& f : files) ImGui::BulletText("%s", f.c_str());
  ImGui::SetNextItemWidth(-90);
  ImGui::InputTextWithHint("##tablepath", "path/to/table.json or glibc16:1024", dialogPath_, sizeof dialogPath_);
  ImGui::SameLine();
  const bool addFile = ImGui::Button("Add") && dialogPath_[0] != '\0';
  if (!added_.empty()) {
    ImGui::Separator();
    ImGui::TextUnformatted("From the designer");
    for (size_t i = 0; i < added_.size(); ++i) {
      bool on = dialogAddedChecked_[i] != 0;
      if (ImGui::Checkbox(added_[i].name.c_str(), &on)) dialogAddedChecked_[i] = on;
    }
  }
  ImGui::Separator();
  const bool go = ImGui::Button("Compare", ImVec2(120, 0));
  ImGui::SameLine();
  if (ImGui::Button("Size-class designer…")) designer_.open = true;
  ImGui::End();
  if (addFile) files.emplace_back(dialogPath_), dialogPath_[0] = '\0';
  if (go || addFile) {
    std::vector<std::string> chosen;
    for (size_t i = 0; i < lib.size(); ++i)
      if (dialogChecked_[i]) chosen.push_back(lib[i].name);
    chosen.insert(chosen.end(), files.begin(), files.end());
    std::vector<CompareTable> keep;
    for (size_t i = 0; i < added_.size(); ++i)
      if (dialogAddedChecked_[i]) keep.push_back(added_[i]);
    if (go) {
      request(std::move(chosen));
      for (CompareTable& t : keep) addTable(std::move(t));
      dialogAddedChecked_.assign(added_.size(), 1);
      dialogOpen_ = false;
    } else {
      specs_ = std::move(chosen); // remembered for Compare; nothing runs yet
    }
  }
}

} // namespace gui
