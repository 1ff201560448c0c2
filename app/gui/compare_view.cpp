// CompareView: see compare_view.h.
#include "app/gui/compare_view.h"

#include "app/report/compare_report.h"
#include "sim/sizeclass_library.h"
#include "traces/config_json.h"
#include "traces/json_io.h"

#include <imgui.h>

#include <algorithm>
#include <filesystem>

namespace gui {

// [SECTION] CompareView: choice, building, exports

void CompareView::request(std::vector<std::string> specs) {
  specs_ = std::move(specs);
  added_.clear();
  profiles_.clear();
  dirty_ = built_ = openRequest_ = true;
}

void CompareView::requestProfiles(std::vector<sim::GoVersion> profiles) {
  profiles_ = std::move(profiles);
  dirty_ = built_ = openRequest_ = true;
}

void CompareView::addTable(model::CompareTable t) {
  profiles_.clear(); // a designed table joins the table comparison
  std::erase_if(added_, [&](const model::CompareTable& x) { return x.name == t.name; });
  added_.push_back(std::move(t));
  dirty_ = built_ = openRequest_ = true;
}

bool CompareView::takeOpenRequest() {
  const bool r = openRequest_;
  openRequest_ = false;
  return r;
}

void CompareView::follow(const model::Session* s) {
  if (s == nullptr) {
    cmp_.reset();
    builtFor_ = nullptr;
    return;
  }
  if (built_ && (dirty_ || s != builtFor_)) rebuild(*s);
  if (cmp_) cmp_->seek(s->position());
}

void CompareView::rebuild(const model::Session& s) {
  cmp_.reset();
  dirty_ = false;
  builtFor_ = &s;
  status_.clear();
  if (!profiles_.empty()) {
    // The session's config (its own, or the user's engine settings) under each release, exactly as
    // `spanscope-cli compare --profiles` builds it, so both print the same figures.
    std::vector<model::CompareConfig> configs;
    for (const sim::GoVersion v : profiles_)
      configs.push_back(model::CompareConfig{report::profileName(v), report::configForProfile(s.world().config(), v)});
    cmp_ = std::make_unique<model::CompareSession>(s, std::move(configs));
    return;
  }
  std::vector<model::CompareTable> tables;
  std::string problems;
  for (const std::string& spec : specs_) {
    std::string err;
    auto t = traces::resolveSizeClassTable(spec, "", &err);
    if (!t) {
      problems += (problems.empty() ? "" : "; ") + spec + ": " + err;
      continue;
    }
    tables.push_back(model::CompareTable{spec, std::move(*t)});
  }
  for (const model::CompareTable& t : added_) tables.push_back(t);
  if (tables.size() > 32) tables.resize(32); // as the CLI: at most 32 tables at once
  if (!tables.empty()) cmp_ = std::make_unique<model::CompareSession>(s, std::move(tables));
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

void CompareView::drawWindows(const model::Session* s) {
  drawDialog();
  model::CompareTable add;
  const sim::SizeHistogram* h = cmp_ ? &cmp_->histogram() : nullptr;
  if (h == nullptr && s != nullptr && designer_.open) {
    // No comparison yet: the designer still optimises for the loaded trace (histogram kept per session).
    if (histogramFor_ != s) histogram_ = model::requestHistogram(*s->newSource()), histogramFor_ = s;
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
  ImGui::Separator();
  ImGui::TextWrapped("Or the same trace under each Go release's allocator, each with its own table "
                     "(as `spanscope-cli compare --profiles go1.19,go1.26`):");
  if (ImGui::Button("Compare Go 1.19 with Go 1.26")) {
    requestProfiles({sim::GoVersion::Go119, sim::GoVersion::Go126});
    dialogOpen_ = false;
  }
  ImGui::End();
  if (addFile) files.emplace_back(dialogPath_), dialogPath_[0] = '\0';
  if (go || addFile) {
    std::vector<std::string> chosen;
    for (size_t i = 0; i < lib.size(); ++i)
      if (dialogChecked_[i]) chosen.push_back(lib[i].name);
    chosen.insert(chosen.end(), files.begin(), files.end());
    std::vector<model::CompareTable> keep;
    for (size_t i = 0; i < added_.size(); ++i)
      if (dialogAddedChecked_[i]) keep.push_back(added_[i]);
    if (go) {
      request(std::move(chosen));
      for (model::CompareTable& t : keep) addTable(std::move(t));
      dialogAddedChecked_.assign(added_.size(), 1);
      dialogOpen_ = false;
    } else {
      specs_ = std::move(chosen); // remembered for Compare; nothing runs yet
    }
  }
}

} // namespace gui
