//===- Metrics.cpp - Training metrics: JSONL log and an SVG plot ----------===//

#include "runtime/train/Metrics.h"
#include "runtime/io/Json.h"

#include "fmt/format.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace clip::train {

MetricsLog::MetricsLog(const std::string &path, bool append)
    : path(path), out(path, append ? std::ios::app : std::ios::trunc) {
  if (!out)
    throw std::runtime_error(fmt::format("cannot write metrics to {}", path));
}

void MetricsLog::write(const std::map<std::string, double> &values,
                       const std::string &kind) {
  std::string line = fmt::format("{{\"kind\": \"{}\"", kind);
  for (const auto &[key, value] : values)
    line += std::isfinite(value) ? fmt::format(", \"{}\": {:.9g}", key, value)
                                 : fmt::format(", \"{}\": null", key);
  out << line << "}\n";
  out.flush();
}

std::vector<Series> readSeries(const std::string &path,
                               const std::vector<std::string> &names) {
  std::vector<Series> series;
  for (const std::string &name : names)
    series.push_back({name, {}});
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    io::JsonValue record;
    try {
      record = io::parseJson(line);
    } catch (const std::exception &) {
      continue; // a line cut by a kill: skip it
    }
    const io::JsonValue *step = record.get("step");
    if (!step || !step->isNumber())
      continue;
    for (Series &s : series)
      if (const io::JsonValue *v = record.get(s.name); v && v->isNumber())
        s.points.emplace_back(std::stod(step->text), std::stod(v->text));
  }
  return series;
}

void writeSvgPlot(const std::string &path, const std::string &title,
                  const std::vector<Series> &series) {
  const double width = 720, panel = 220, left = 70, right = 20, top = 40;
  const double height = top + panel * series.size() + 30;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" "
      "height=\"100%\" fill=\"white\"/>\n<text x=\"{}\" y=\"22\" "
      "font-size=\"15\">{}</text>\n",
      width, height, left, title);
  double maxStep = 1;
  for (const Series &s : series)
    for (auto [x, y] : s.points)
      maxStep = std::max(maxStep, x);
  const char *colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
  for (size_t p = 0; p < series.size(); ++p) {
    const Series &s = series[p];
    const double y0 = top + p * panel, h = panel - 40, w = width - left - right;
    double lo = INFINITY, hi = -INFINITY;
    for (auto [x, y] : s.points) {
      lo = std::min(lo, y);
      hi = std::max(hi, y);
    }
    if (!(lo <= hi)) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-12)
      hi = lo + 1;
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
                       "fill=\"none\" stroke=\"#888\"/>\n",
                       left, y0, w, h);
    svg += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", left + 6, y0 + 14,
                       s.name);
    for (int t = 0; t <= 4; ++t) {
      const double value = lo + (hi - lo) * t / 4;
      svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.3g}"
                         "</text>\n",
                         left - 6, y0 + h - h * t / 4 + 4, value);
    }
    // Step ticks under every panel: 0, a quarter, ..., the last step.
    for (int t = 0; t <= 4; ++t) {
      const double x = left + w * t / 4;
      svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" "
                         "y2=\"{}\" stroke=\"#888\"/>\n",
                         x, y0 + h, x, y0 + h + 4);
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"{}\">"
                         "{}{}</text>\n",
                         x, y0 + h + 16, t == 0 ? "start" : t == 4 ? "end" : "middle",
                         t == 4 ? "step " : "",
                         static_cast<int64_t>(std::llround(maxStep * t / 4)));
    }
    std::string points;
    for (auto [x, y] : s.points)
      points += fmt::format("{:.1f},{:.1f} ", left + w * x / maxStep,
                            y0 + h - h * (y - lo) / (hi - lo));
    svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" "
                       "stroke-width=\"1.5\" points=\"{}\"/>\n",
                       colors[p % 4], points);
    // Sparse series (validation, evaluation) get a marker per point, so
    // that a single point is drawn too.
    if (s.points.size() <= 64)
      for (auto [x, y] : s.points)
        svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" "
                           "fill=\"{}\"/>\n",
                           left + w * x / maxStep,
                           y0 + h - h * (y - lo) / (hi - lo), colors[p % 4]);
  }
  svg += "</svg>\n";
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial);
    out << svg;
    if (!out)
      throw std::runtime_error(fmt::format("cannot write {}", path));
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0)
    throw std::runtime_error(fmt::format("cannot write {}", path));
}

} // namespace clip::train
