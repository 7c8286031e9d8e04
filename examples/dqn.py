"""DQN on gymnasium's CartPole-v1 with jtorch: the PyTorch program with only the imports changed.

    python examples/dqn.py [--steps 12000] [--batch-size 128] [--lr 0.0005] [--seed 0]

An epsilon-greedy agent fills a replay buffer; every step it regresses Q(s, a) towards
r + gamma * max_a' Q_target(s', a') on a random minibatch with F.smooth_l1_loss. The target network
is a copy.deepcopy of the Q-network, refreshed with load_state_dict every --target-every steps.
Prints episode returns as it trains, then the average return of the last 20 training episodes and of
10 greedy evaluation episodes (a random policy averages about 20; the maximum is 500).
"""
import argparse
import copy
import random
import time
from collections import deque

import gymnasium as gym
import numpy as np

import jtorch as torch
import jtorch.nn as nn
import jtorch.nn.functional as F


class QNetwork(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(4, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                    nn.Linear(hidden, 2))

    def forward(self, x):
        return self.layers(x)


class ReplayBuffer:
    def __init__(self, capacity):
        self.transitions = deque(maxlen=capacity)

    def __len__(self):
        return len(self.transitions)

    def push(self, state, action, reward, next_state, terminated):
        self.transitions.append((state, action, reward, next_state, terminated))

    def sample(self, batch_size):
        states, actions, rewards, next_states, terminated = zip(*random.sample(self.transitions, batch_size))
        return (torch.from_numpy(np.stack(states)), torch.tensor(actions), torch.tensor(rewards, dtype=torch.float32),
                torch.from_numpy(np.stack(next_states)), torch.tensor(terminated, dtype=torch.float32))


def greedy_action(q_net, state):
    with torch.no_grad():
        return q_net(torch.from_numpy(state)).argmax().item()


def train_step(q_net, target_net, optimizer, batch, gamma):
    states, actions, rewards, next_states, terminated = batch
    q = q_net(states).gather(1, actions.unsqueeze(1)).squeeze(1)
    with torch.no_grad():
        target = rewards + gamma * target_net(next_states).max(1).values * (1 - terminated)
    loss = F.smooth_l1_loss(q, target)
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(q_net.parameters(), 10.0)
    optimizer.step()
    return loss.item()


def evaluate(env, q_net, episodes, seed):
    returns = []
    for i in range(episodes):
        state, _ = env.reset(seed=seed + i)
        total, done = 0.0, False
        while not done:
            state, reward, terminated, truncated, _ = env.step(greedy_action(q_net, state))
            total += reward
            done = terminated or truncated
        returns.append(total)
    return sum(returns) / len(returns)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--buffer", type=int, default=10000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--eps-decay-steps", type=int, default=5000)
    parser.add_argument("--target-every", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    env = gym.make("CartPole-v1")
    q_net = QNetwork()
    target_net = copy.deepcopy(q_net)
    optimizer = torch.optim.Adam(q_net.parameters(), lr=args.lr)
    buffer = ReplayBuffer(args.buffer)
    episode_returns = []
    state, _ = env.reset(seed=args.seed)
    episode_return, loss = 0.0, float("nan")
    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        epsilon = max(0.05, 1.0 - 0.95 * step / args.eps_decay_steps)
        action = random.randrange(2) if random.random() < epsilon else greedy_action(q_net, state)
        next_state, reward, terminated, truncated, _ = env.step(action)
        buffer.push(state, action, reward, next_state, terminated)
        state, episode_return = next_state, episode_return + reward

        if len(buffer) >= args.warmup:
            loss = train_step(q_net, target_net, optimizer, buffer.sample(args.batch_size), args.gamma)
        if step % args.target_every == 0:
            target_net.load_state_dict(q_net.state_dict())

        if terminated or truncated:
            episode_returns.append(episode_return)
            if len(episode_returns) % 10 == 0:
                recent = episode_returns[-10:]
                print(f"step {step:6d}  episode {len(episode_returns):4d}  epsilon {epsilon:.2f}  loss {loss:.4f}  "
                      f"average return (last 10) {sum(recent) / len(recent):6.1f}  ({time.perf_counter() - start:.1f}s)")
            state, _ = env.reset()
            episode_return = 0.0

    last = episode_returns[-20:]
    print(f"final: average return over the last {len(last)} training episodes {sum(last) / len(last):.1f}, "
          f"greedy evaluation over 10 episodes {evaluate(env, q_net, 10, seed=1000):.1f}")


if __name__ == "__main__":
    main()
