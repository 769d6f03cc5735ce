#include "TsanHandover.h"

namespace KioskGate::TsanHandover {

#ifdef KIOSKGATE_TSAN
std::recursive_mutex &mutex()
{
    static std::recursive_mutex handover;
    return handover;
}
#endif

} // namespace KioskGate::TsanHandover
