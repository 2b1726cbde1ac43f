//===- Data.h - The data side of clip-run: everything at once -------------===//
//
// Images (ImageDecode), OpenCLIP's transforms (Preprocess), sources of
// image-caption pairs (FashionMnist + Captions, CsvDataset, TarDataset) and
// the background batch loader (Loader). See docs/data.md.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DATA_DATA_H
#define CLIP_RUNTIME_DATA_DATA_H

#include "runtime/data/Captions.h"
#include "runtime/data/CsvDataset.h"
#include "runtime/data/DataError.h"
#include "runtime/data/FashionMnist.h"
#include "runtime/data/ImageDecode.h"
#include "runtime/data/Loader.h"
#include "runtime/data/Preprocess.h"
#include "runtime/data/Sample.h"
#include "runtime/data/TarDataset.h"

#endif // CLIP_RUNTIME_DATA_DATA_H
