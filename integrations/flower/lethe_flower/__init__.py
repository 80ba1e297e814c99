"""Lethe's federated learning on Flower: ClientApps train Lethe's model on their partition through lethe_unlearn,
the ServerApp runs FedAvg over Lethe's parameters (docs/federated.md, "On Flower")."""
