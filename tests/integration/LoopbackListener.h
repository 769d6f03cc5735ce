#pragma once

// A QTcpServer whose accepted connections the test keeps, each as a
// `Socket`: QTcpSocket, or DirectWriteSocket as the gate's accept loop
// makes them.

#include <QTcpServer>

#include <memory>
#include <vector>

template <class Socket>
class LoopbackListener : public QTcpServer
{
public:
    std::vector<std::unique_ptr<Socket>> accepted;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto socket = std::make_unique<Socket>();
        if (socket->setSocketDescriptor(descriptor))
            accepted.push_back(std::move(socket));
    }
};
