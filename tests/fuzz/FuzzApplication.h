#pragma once

#include <QCoreApplication>

namespace Fuzz {

/// The application object a target needs for QtSql, timers or logging
/// categories. Make it the first member of a target's fixture, so it exists
/// before anything else the fixture builds and goes after all of it.
struct Application
{
    int argc = 1;
    char name[16] = "fuzz";
    char *argv[2] = {name, nullptr};
    QCoreApplication app{argc, argv};
};

} // namespace Fuzz
