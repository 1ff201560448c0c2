// The process's texture uploader: see texture.h.
#include "app/gui/texture.h"

namespace gui {

namespace {
TextureUploader* g_uploader = nullptr;
}

void setTextureUploader(TextureUploader* uploader) { g_uploader = uploader; }
TextureUploader* textureUploader() { return g_uploader; }

} // namespace gui
