//===- TestFiles.cpp - Images, tars and scratch directories for the tests -===//
#include "TestFiles.h"

#include "runtime/data/DataError.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <jpeglib.h>
#include <png.h>
#include <unistd.h>

namespace clip::data::test {

ScratchDir::ScratchDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "clip-data-test-XXXXXX")
          .string();
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ScratchDir::write(const std::string &name,
                              const std::vector<uint8_t> &bytes) const {
  const std::string full = path_ + "/" + name;
  std::filesystem::create_directories(
      std::filesystem::path(full).parent_path());
  std::ofstream out(full, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out)
    throw std::runtime_error("cannot write " + full);
  return full;
}

std::string ScratchDir::write(const std::string &name,
                              const std::string &text) const {
  return write(name, bytesOf(text));
}

std::vector<uint8_t> bytesOf(const std::string &text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

void append(std::vector<uint8_t> &to, const std::vector<uint8_t> &more) {
  to.insert(to.end(), more.begin(), more.end());
}

namespace {

void pngWrite(png_structp png, png_bytep data, size_t length) {
  auto *out = static_cast<std::vector<uint8_t> *>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}
void pngFlush(png_structp) {}

// setjmp frame: everything libpng does (the vectors belong to the caller).
bool pngEncode(const PngSpec &spec, std::vector<png_color> *palette,
               std::vector<png_bytep> *rows, std::vector<uint8_t> *out) {
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, pngWrite, pngFlush);
  png_set_IHDR(png, info, spec.width, spec.height, spec.bitDepth,
               spec.colorType,
               spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (spec.colorType == PNG_COLOR_TYPE_PALETTE) {
    png_set_PLTE(png, info, palette->data(), static_cast<int>(palette->size()));
    if (!spec.alphas.empty())
      png_set_tRNS(png, info, spec.alphas.data(),
                   static_cast<int>(spec.alphas.size()), nullptr);
  }
  png_write_info(png, info);
  png_write_image(png, rows->data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

struct JpegErr {
  jpeg_error_mgr manager;
  jmp_buf jump;
};
void jpegExit(j_common_ptr cinfo) {
  std::longjmp(reinterpret_cast<JpegErr *>(cinfo->err)->jump, 1);
}

// setjmp frame.
bool jpegEncode(int width, int height, int components, const uint8_t *pixels,
                int quality, unsigned char **buffer, unsigned long *size) {
  jpeg_compress_struct cinfo;
  JpegErr err;
  cinfo.err = jpeg_std_error(&err.manager);
  err.manager.error_exit = jpegExit;
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&cinfo);
    return false;
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, buffer, size);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = components;
  cinfo.in_color_space = components == 1   ? JCS_GRAYSCALE
                         : components == 3 ? JCS_RGB
                                           : JCS_CMYK;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(
        pixels + static_cast<size_t>(cinfo.next_scanline) * width * components);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return true;
}

std::vector<uint8_t> header(const std::string &name, uint64_t size, char type,
                            bool gnu) {
  std::vector<uint8_t> h(512, 0);
  std::memcpy(h.data(), name.data(), std::min<size_t>(name.size(), 100));
  std::snprintf(reinterpret_cast<char *>(&h[100]), 8, "%07o", 0644);
  std::snprintf(reinterpret_cast<char *>(&h[108]), 8, "%07o", 1000);
  std::snprintf(reinterpret_cast<char *>(&h[116]), 8, "%07o", 1000);
  std::snprintf(reinterpret_cast<char *>(&h[124]), 12, "%011llo",
                static_cast<unsigned long long>(size));
  std::snprintf(reinterpret_cast<char *>(&h[136]), 12, "%011o", 1700000000);
  h[156] = static_cast<uint8_t>(type);
  if (gnu)
    std::memcpy(&h[257], "ustar  ", 8);
  else {
    std::memcpy(&h[257], "ustar", 6);
    std::memcpy(&h[263], "00", 2);
  }
  std::memset(&h[148], ' ', 8);
  unsigned sum = 0;
  for (uint8_t b : h)
    sum += b;
  std::snprintf(reinterpret_cast<char *>(&h[148]), 8, "%06o", sum);
  h[155] = ' ';
  return h;
}

std::vector<uint8_t> withData(std::vector<uint8_t> h,
                              const std::vector<uint8_t> &data) {
  append(h, data);
  h.resize(h.size() + (512 - data.size() % 512) % 512, 0);
  return h;
}

} // namespace

std::vector<uint8_t> encodePng(const PngSpec &spec) {
  std::vector<png_color> palette;
  for (size_t i = 0; i + 2 < spec.palette.size(); i += 3)
    palette.push_back(
        {spec.palette[i], spec.palette[i + 1], spec.palette[i + 2]});
  const size_t rowBytes = spec.rows.size() / spec.height;
  std::vector<png_bytep> rows(spec.height);
  for (int y = 0; y < spec.height; ++y)
    rows[y] = const_cast<png_bytep>(spec.rows.data() + y * rowBytes);
  std::vector<uint8_t> out;
  if (!pngEncode(spec, &palette, &rows, &out))
    throw std::runtime_error("libpng could not encode the test image");
  return out;
}

std::vector<uint8_t> encodeJpeg(int width, int height, int components,
                                const std::vector<uint8_t> &pixels,
                                int quality) {
  unsigned char *buffer = nullptr;
  unsigned long size = 0;
  if (!jpegEncode(width, height, components, pixels.data(), quality, &buffer,
                  &size)) {
    std::free(buffer);
    throw std::runtime_error("libjpeg could not encode the test image");
  }
  std::vector<uint8_t> out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

std::vector<uint8_t> tarMember(const std::string &name,
                               const std::vector<uint8_t> &data, char type) {
  return withData(header(name, data.size(), type, false), data);
}

std::vector<uint8_t> tarGnuLongName(const std::string &name,
                                    const std::vector<uint8_t> &data) {
  std::vector<uint8_t> longName(name.begin(), name.end());
  longName.push_back(0);
  std::vector<uint8_t> out =
      withData(header("././@LongLink", longName.size(), 'L', true), longName);
  append(out,
         withData(header(name.substr(0, 99), data.size(), '0', true), data));
  return out;
}

std::vector<uint8_t> tarPaxPath(const std::string &name,
                                const std::vector<uint8_t> &data) {
  const std::string body = " path=" + name + "\n";
  size_t length = body.size() + 1;
  while (std::to_string(length).size() + body.size() != length)
    ++length;
  const std::vector<uint8_t> record = bytesOf(std::to_string(length) + body);
  std::vector<uint8_t> out =
      withData(header("PaxHeaders/x", record.size(), 'x', false), record);
  append(out, withData(header("short-placeholder.bin", data.size(), '0', false),
                       data));
  return out;
}

std::vector<uint8_t> tarEnd() { return std::vector<uint8_t>(1024, 0); }

std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const DataError &e) {
    return e.what();
  }
  return "(no DataError)";
}

} // namespace clip::data::test
