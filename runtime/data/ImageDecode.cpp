//===- ImageDecode.cpp - PNG (libpng) and JPEG (libjpeg) decoding ---------===//
//
// libpng and libjpeg report errors by longjmp. The functions that call them
// (marked "setjmp frame") hold no C++ object with a destructor, so a longjmp
// out of the library skips nothing: they fill plain structs and return false,
// and the C++ code around them allocates, throws and cleans up (the library
// handles are RAII holders that live outside the setjmp frames).
//
//===----------------------------------------------------------------------===//
#include "runtime/data/ImageDecode.h"

#include <fmt/format.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jerror.h>
#include <jpeglib.h>
#include <png.h>

namespace clip::data {

namespace {

constexpr size_t kMessageSize = 256;

DataError decodeError(const std::string &where, const std::string &what) {
  return DataError(fmt::format("{}: {}", where, what));
}

//===----------------------------------------------------------------------===//
// PNG
//===----------------------------------------------------------------------===//

struct PngContext {
  const uint8_t *data = nullptr;
  size_t size = 0, offset = 0;
  bool truncated = false;
  char message[kMessageSize] = {};
};

void pngError(png_structp png, png_const_charp message) {
  auto *ctx = static_cast<PngContext *>(png_get_error_ptr(png));
  std::snprintf(ctx->message, sizeof ctx->message, "%s", message);
  png_longjmp(png, 1);
}

void pngWarning(png_structp, png_const_charp) {}

void pngRead(png_structp png, png_bytep out, size_t length) {
  auto *ctx = static_cast<PngContext *>(png_get_io_ptr(png));
  if (length > ctx->size - ctx->offset) {
    ctx->truncated = true;
    std::snprintf(ctx->message, sizeof ctx->message,
                  "%zu bytes needed at offset %zu, the file has %zu", length,
                  ctx->offset, ctx->size);
    png_longjmp(png, 1);
  }
  std::memcpy(out, ctx->data + ctx->offset, length);
  ctx->offset += length;
}

struct PngHandle {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~PngHandle() {
    if (png)
      png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
  }
};

struct PngHeader {
  uint32_t width = 0, height = 0;
  int bitDepth = 0, colorType = 0, channels = 0;
  size_t rowBytes = 0;
  bool tooLarge = false;
};

// setjmp frame: reads the header and sets the transforms.
bool pngReadHeader(png_structp png, png_infop info, PngHeader *header) {
  if (setjmp(png_jmpbuf(png)))
    return false;
  png_read_info(png, info);
  header->width = png_get_image_width(png, info);
  header->height = png_get_image_height(png, info);
  header->bitDepth = png_get_bit_depth(png, info);
  header->colorType = png_get_color_type(png, info);
  if (static_cast<uint64_t>(header->width) * header->height > kMaxImagePixels) {
    header->tooLarge = true;
    return true;
  }
  if (header->colorType == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb(png);
  if (header->colorType == PNG_COLOR_TYPE_GRAY && header->bitDepth < 8)
    png_set_expand_gray_1_2_4_to_8(png);
  if (header->bitDepth == 16)
    png_set_strip_16(png); // the high byte, as PIL's "RGB;16B" / "L;16B"
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  header->channels = png_get_channels(png, info);
  header->rowBytes = png_get_rowbytes(png, info);
  return true;
}

// setjmp frame: reads every row.
bool pngReadRows(png_structp png, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png)))
    return false;
  png_read_image(png, rows);
  return true;
}

Image decodePng(const uint8_t *bytes, size_t size, const std::string &where) {
  PngContext ctx;
  ctx.data = bytes;
  ctx.size = size;
  PngHandle handle;
  handle.png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, pngError, pngWarning);
  if (!handle.png)
    throw decodeError(where, "cannot create a PNG reader");
  handle.info = png_create_info_struct(handle.png);
  if (!handle.info)
    throw decodeError(where, "cannot create a PNG reader");
  png_set_read_fn(handle.png, &ctx, pngRead);

  auto fail = [&](const char *stage) {
    if (ctx.truncated)
      return decodeError(
          where, fmt::format("truncated PNG ({}: {})", stage, ctx.message));
    return decodeError(where,
                       fmt::format("corrupt PNG ({}: {})", stage, ctx.message));
  };

  PngHeader header;
  if (!pngReadHeader(handle.png, handle.info, &header))
    throw fail("header");
  if (header.tooLarge)
    throw decodeError(where, fmt::format("PNG of {}x{} pixels is above the "
                                         "limit of {} pixels",
                                         header.width, header.height,
                                         kMaxImagePixels));
  const int channels = header.channels;
  if (channels < 1 || channels > 4 ||
      header.rowBytes != static_cast<size_t>(header.width) * channels)
    throw decodeError(where,
                      fmt::format("unsupported PNG layout (color type "
                                  "{}, bit depth {}, {} channels)",
                                  header.colorType, header.bitDepth, channels));

  std::vector<uint8_t> raw(header.rowBytes * header.height);
  std::vector<png_bytep> rows(header.height);
  for (uint32_t y = 0; y < header.height; ++y)
    rows[y] = raw.data() + y * header.rowBytes;
  if (!pngReadRows(handle.png, rows.data()))
    throw fail("image data");

  Image image;
  image.height = header.height;
  image.width = header.width;
  const size_t pixels = static_cast<size_t>(header.width) * header.height;
  if (channels == 1 || channels == 3) { // gray or RGB: as decoded
    image.channels = channels;
    image.pixels = std::move(raw);
  } else { // gray+alpha or RGBA: drop the alpha, as PIL's convert("RGB")
    image.channels = channels - 1;
    image.pixels.resize(pixels * image.channels);
    for (size_t i = 0; i < pixels; ++i)
      for (int c = 0; c < image.channels; ++c)
        image.pixels[i * image.channels + c] = raw[i * channels + c];
  }
  return image;
}

//===----------------------------------------------------------------------===//
// JPEG
//===----------------------------------------------------------------------===//

struct JpegError {
  jpeg_error_mgr manager; // first: libjpeg sees a jpeg_error_mgr *
  jmp_buf jump;
  bool truncated = false;
  char message[JMSG_LENGTH_MAX] = {};
};

void jpegErrorExit(j_common_ptr cinfo) {
  auto *error = reinterpret_cast<JpegError *>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, error->message);
  std::longjmp(error->jump, 1);
}

// Warnings are ignored (PIL ignores "extraneous bytes before marker" and the
// like) except running out of data: libjpeg would fill the rest of the
// image with gray, PIL raises "image file is truncated".
void jpegEmitMessage(j_common_ptr cinfo, int level) {
  if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
    auto *error = reinterpret_cast<JpegError *>(cinfo->err);
    error->truncated = true;
    (*cinfo->err->format_message)(cinfo, error->message);
    std::longjmp(error->jump, 1);
  }
}

// The whole file is in memory: a source manager over it (libjpeg-turbo's
// jpeg_mem_src is not in the base libjpeg 6.2 API, so it is not used). Asked
// for more data, it warns JWRN_JPEG_EOF, which jpegEmitMessage turns into a
// "truncated" error.
void jpegInitSource(j_decompress_ptr) {}
boolean jpegFillInput(j_decompress_ptr cinfo) {
  static const JOCTET eoi[2] = {0xFF, JPEG_EOI};
  WARNMS(cinfo, JWRN_JPEG_EOF);
  cinfo->src->next_input_byte = eoi; // as libjpeg's own sources, if it returns
  cinfo->src->bytes_in_buffer = 2;
  return TRUE;
}
void jpegSkipInput(j_decompress_ptr cinfo, long count) {
  jpeg_source_mgr *src = cinfo->src;
  if (count <= 0)
    return;
  while (count > static_cast<long>(src->bytes_in_buffer)) {
    count -= static_cast<long>(src->bytes_in_buffer);
    jpegFillInput(cinfo);
  }
  src->next_input_byte += count;
  src->bytes_in_buffer -= static_cast<size_t>(count);
}
void jpegTermSource(j_decompress_ptr) {}

struct JpegHandle {
  jpeg_decompress_struct cinfo;
  jpeg_source_mgr source;
  bool created = false;
  ~JpegHandle() {
    if (created)
      jpeg_destroy_decompress(&cinfo);
  }
};

enum class JpegStart { Ok, Failed, TooLarge, Cmyk, Unsupported };

// setjmp frame: header, color space and start of decompression.
JpegStart jpegStart(JpegHandle *handle, JpegError *error, const uint8_t *bytes,
                    size_t size) {
  jpeg_decompress_struct *cinfo = &handle->cinfo;
  if (setjmp(error->jump))
    return JpegStart::Failed;
  jpeg_create_decompress(cinfo);
  handle->created = true;
  jpeg_source_mgr *source = &handle->source;
  source->init_source = jpegInitSource;
  source->fill_input_buffer = jpegFillInput;
  source->skip_input_data = jpegSkipInput;
  source->resync_to_restart = jpeg_resync_to_restart;
  source->term_source = jpegTermSource;
  source->next_input_byte = bytes;
  source->bytes_in_buffer = size;
  cinfo->src = source;
  jpeg_read_header(cinfo, TRUE);
  if (static_cast<uint64_t>(cinfo->image_width) * cinfo->image_height >
      kMaxImagePixels)
    return JpegStart::TooLarge;
  switch (cinfo->jpeg_color_space) {
  case JCS_GRAYSCALE:
    cinfo->out_color_space = JCS_GRAYSCALE;
    break;
  case JCS_YCbCr:
  case JCS_RGB:
    cinfo->out_color_space = JCS_RGB;
    break;
  case JCS_CMYK:
  case JCS_YCCK:
    return JpegStart::Cmyk;
  default:
    return JpegStart::Unsupported;
  }
  jpeg_start_decompress(cinfo);
  return JpegStart::Ok;
}

// setjmp frame: every scanline into `out` (output_height rows of `stride`).
bool jpegReadRows(JpegHandle *handle, JpegError *error, uint8_t *out,
                  size_t stride) {
  jpeg_decompress_struct *cinfo = &handle->cinfo;
  if (setjmp(error->jump))
    return false;
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = out + static_cast<size_t>(cinfo->output_scanline) * stride;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  return true;
}

Image decodeJpeg(const uint8_t *bytes, size_t size, const std::string &where) {
  JpegHandle handle;
  JpegError error;
  handle.cinfo.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = jpegErrorExit;
  error.manager.emit_message = jpegEmitMessage;

  auto fail = [&](const char *stage) {
    return decodeError(where,
                       fmt::format("{} JPEG ({}: {})",
                                   error.truncated ? "truncated" : "corrupt",
                                   stage, error.message));
  };

  switch (jpegStart(&handle, &error, bytes, size)) {
  case JpegStart::Ok:
    break;
  case JpegStart::Failed:
    throw fail("header");
  case JpegStart::TooLarge:
    throw decodeError(where,
                      fmt::format("JPEG of {}x{} pixels is above the "
                                  "limit of {} pixels",
                                  handle.cinfo.image_width,
                                  handle.cinfo.image_height, kMaxImagePixels));
  case JpegStart::Cmyk:
    throw decodeError(where, "CMYK JPEG images are not supported (convert "
                             "them to RGB first)");
  case JpegStart::Unsupported:
    throw decodeError(
        where, fmt::format("JPEG color space {} is not supported",
                           static_cast<int>(handle.cinfo.jpeg_color_space)));
  }
  const jpeg_decompress_struct &cinfo = handle.cinfo;
  if (cinfo.output_components != 1 && cinfo.output_components != 3)
    throw decodeError(where, fmt::format("JPEG with {} output components",
                                         cinfo.output_components));
  Image image;
  image.height = cinfo.output_height;
  image.width = cinfo.output_width;
  image.channels = cinfo.output_components;
  const size_t stride = static_cast<size_t>(image.width) * image.channels;
  image.pixels.resize(stride * image.height);
  if (!jpegReadRows(&handle, &error, image.pixels.data(), stride))
    throw fail("image data");
  return image;
}

} // namespace

const char *sniffImageFormat(const uint8_t *b, size_t n) {
  static const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (n >= 8 && std::memcmp(b, png, 8) == 0)
    return "PNG";
  if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
    return "JPEG";
  if (n >= 12 && std::memcmp(b, "RIFF", 4) == 0 &&
      std::memcmp(b + 8, "WEBP", 4) == 0)
    return "WebP";
  if (n >= 4 && std::memcmp(b, "GIF8", 4) == 0)
    return "GIF";
  if (n >= 2 && b[0] == 'B' && b[1] == 'M')
    return "BMP";
  if (n >= 4 &&
      (std::memcmp(b, "II*\0", 4) == 0 || std::memcmp(b, "MM\0*", 4) == 0))
    return "TIFF";
  return "";
}

Image decodeImage(const uint8_t *bytes, size_t size, const std::string &where) {
  if (size == 0)
    throw decodeError(where, "empty image file");
  const std::string format = sniffImageFormat(bytes, size);
  if (format == "PNG")
    return decodePng(bytes, size, where);
  if (format == "JPEG")
    return decodeJpeg(bytes, size, where);
  if (!format.empty())
    throw decodeError(where, fmt::format("{} images are not supported (only "
                                         "PNG and JPEG; convert it first)",
                                         format));
  std::string head;
  for (size_t i = 0; i < size && i < 8; ++i)
    head += fmt::format("{}{:02x}", i ? " " : "", bytes[i]);
  throw decodeError(where, fmt::format("not a PNG or JPEG image (first bytes "
                                       "{}; a truncated or corrupt file?)",
                                       head));
}

Image decodeImage(const std::vector<uint8_t> &bytes, const std::string &where) {
  return decodeImage(bytes.data(), bytes.size(), where);
}

Image decodeImage(const std::string &bytes, const std::string &where) {
  return decodeImage(reinterpret_cast<const uint8_t *>(bytes.data()),
                     bytes.size(), where);
}

std::vector<uint8_t> readFileBytes(const std::string &path) {
  struct Fd {
    int fd;
    ~Fd() {
      if (fd >= 0)
        ::close(fd);
    }
  } file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0)
    throw DataError(
        fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct stat st;
  if (::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode))
    throw DataError(fmt::format("{}: not a regular file", path));
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got =
        ::read(file.fd, bytes.data() + done, bytes.size() - done);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      throw DataError(
          fmt::format("{}: read error: {}", path, std::strerror(errno)));
    if (got == 0)
      throw DataError(fmt::format("{}: the file shrank while being read ({} "
                                  "of {} bytes)",
                                  path, done, bytes.size()));
    done += static_cast<size_t>(got);
  }
  return bytes;
}

Image readImageFile(const std::string &path) {
  return decodeImage(readFileBytes(path), path);
}

} // namespace clip::data
